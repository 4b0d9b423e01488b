"""The hub's ``.env`` file as the deploy commands write it: one ``KEY=value`` line per
setting, a new value replacing the line of the same key, the file kept owner-only (it may
hold an OAuth client secret). A value python-dotenv would read otherwise than written is
single-quoted.

    python -m spawner.settings.envfile FILE KEY=VALUE ...   # set these
    python -m spawner.settings.envfile FILE --carry         # this environment's settings
"""

import os
import re
import sys
from pathlib import Path

from .reference import NAMES

PLAIN = re.compile(r"^[A-Za-z0-9_./:@,+=-]*$")


def quoted(value):
    """``value`` as a .env line writes it."""
    if PLAIN.fullmatch(value):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def set_values(path, values):
    """Write ``values`` ({key: value}) into the .env file at ``path``."""
    path = Path(path)
    lines = path.read_text().splitlines() if path.exists() else []
    kept = [line for line in lines if line.split("=", 1)[0].strip() not in values]
    kept += [f"{key}={quoted(value)}" for key, value in values.items()]
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text("".join(f"{line}\n" for line in kept))


def carried(environ):
    """The hub's settings set in ``environ``: what a hub started from this shell uses and
    a service, which sees only the .env file, would lack. (The file's own name is not
    one: the service is told it.)"""
    return {
        key: value
        for key, value in environ.items()
        if key in NAMES and key != "KAGGLE_HUB_ENV_FILE"
    }


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: python -m spawner.settings.envfile FILE (KEY=VALUE ... | --carry)")
    path, pairs = argv[0], argv[1:]
    if pairs == ["--carry"]:
        values = carried(os.environ)
        if values:
            set_values(path, values)
        print(" ".join(sorted(values)))
        return
    if not all("=" in pair for pair in pairs):
        sys.exit("usage: python -m spawner.settings.envfile FILE KEY=VALUE ...")
    set_values(path, dict(pair.split("=", 1) for pair in pairs))


if __name__ == "__main__":
    main(sys.argv[1:])
