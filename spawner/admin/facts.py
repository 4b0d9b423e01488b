"""Facts the deploy scripts ask of the hub's code, printed one per line:

python -m spawner.admin.facts NAME [ARGUMENT]

image                 the image the hub is set to use (environment, .env, default)
data-dir              the hub's data dir
log-dir               where ./deploy/run keeps the hub's log
hub-running           exits 0 when this checkout's hub runs, 1 when it does not
jupyterhub-version    the hub's JupyterHub version
image-tag VARIANT     the tag of one of the project's images (lite, kaggle, kaggle-gpu, hub)
get-command IMAGE     the command that gets IMAGE onto this machine
current-tag IMAGE     IMAGE's tag for this release of the hub
pin NAME              one of the pins in spawner.images.tags (KAGGLE_BASE_TAG, ...)
"""

import sys

import jupyterhub

from ..hub.datadir import hub_paths
from ..images import tags
from ..settings.hub import load
from .hubstate import hub_running


def _pin(name):
    if not name.isupper() or not isinstance(getattr(tags, name, None), str):
        raise KeyError(name)
    return getattr(tags, name)


FACTS = {
    "image": lambda: load().image,
    "data-dir": lambda: load().data_dir,
    "log-dir": lambda: hub_paths(load().data_dir)["log_dir"],
    "jupyterhub-version": lambda: jupyterhub.__version__,
    "image-tag": tags.image_tag,
    "get-command": tags.get_command,
    "current-tag": tags.current_tag,
    "pin": _pin,
}


def main(argv):
    if argv == ["hub-running"]:
        return 0 if hub_running(load().data_dir) else 1
    if not argv or argv[0] not in FACTS:
        sys.stderr.write(__doc__)
        return 2
    try:
        print(FACTS[argv[0]](*argv[1:]))
    except (TypeError, KeyError):
        sys.stderr.write(f"'{' '.join(argv)}' is not a question this answers.\n{__doc__}")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
