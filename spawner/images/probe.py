"""Which version of a Python module an image holds (jupyterhub, jupyter_server), found by
running a short probe container."""

NOT_INSTALLED = "kaggle-team-hub: not installed"
PROBE_LABEL = {"kaggle-team-hub.probe": "module-version"}

# jupyterhub version by image id, for every server of this hub process: an id's content
# never changes, so each image is probed once.
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


def cached_jupyterhub_version(client, image_id):
    """``jupyterhub_version`` of ``image_id``, probed once per hub process."""
    if image_id not in _VERSIONS:
        _VERSIONS[image_id] = jupyterhub_version(client, image_id)
    return _VERSIONS[image_id]
