"""Which version of a Python module an image holds (jupyterhub, jupyter_server), found by
running a short probe container."""

import contextlib

from .. import runtime
from ..files import write_private

NOT_INSTALLED = "kaggle-team-hub: not installed"
PROBE_LABEL = {"kaggle-team-hub.probe": "module-version"}

# jupyterhub version by image id: an id's content never changes, so each image is probed
# once on this machine: in memory for this hub process's servers, and in the shared folder
# for its next start and the other hubs of the machine.
_VERSIONS = {}


def module_version(client, image, module):
    """The version of the Python module ``module`` in ``image`` (None if absent), as its
    ``__version__`` says. The probe has no network and is removed afterwards."""
    script = f"import {module}; print({module}.__version__)"
    probe = client.create_container(
        image=image,
        command=["/bin/sh", "-c", f"python3 -c '{script}' || echo '{NOT_INSTALLED}'"],
        host_config=client.create_host_config(network_mode="none"),
        labels=PROBE_LABEL,
    )
    try:
        client.start(probe["Id"])
        client.wait(probe["Id"], timeout=60)
        out = client.logs(probe["Id"], stdout=True, stderr=False)
    finally:
        client.remove_container(probe["Id"], force=True)
    lines = out.decode("utf-8", "replace").strip().splitlines()
    last = lines[-1].strip() if lines else NOT_INSTALLED
    return None if last == NOT_INSTALLED else last


def jupyterhub_version(client, image):
    """The jupyterhub version installed in ``image`` (None if absent)."""
    return module_version(client, image, "jupyterhub")


def cached_jupyterhub_version(client, image_id, shared_dir=runtime.DIR):
    """``jupyterhub_version`` of ``image_id``, probed once on this machine."""
    if image_id not in _VERSIONS:
        _VERSIONS[image_id] = _kept_version(client, image_id, runtime.shared_dir(shared_dir))
    return _VERSIONS[image_id]


def _kept_version(client, image_id, folder):
    if folder is None:
        return jupyterhub_version(client, image_id)
    kept = folder / f"jupyterhub-in-{image_id.removeprefix('sha256:')}"
    try:
        found = kept.read_text()
    except OSError:
        found = jupyterhub_version(client, image_id) or NOT_INSTALLED
        # Not kept (a full disk): the next hub process probes again.
        with contextlib.suppress(OSError):
            write_private(kept, found)
    return None if found == NOT_INSTALLED else found
