"""Which jupyterhub version an image holds, found by running a short probe container."""

VERSION_PROBE = "import jupyterhub; print(jupyterhub.__version__)"
NO_JUPYTERHUB = "kaggle-team-hub: no jupyterhub"
PROBE_LABEL = {"kaggle-team-hub.probe": "jupyterhub-version"}

# jupyterhub version by image id, for every server of this hub process: an id's content
# never changes, so each image is probed once.
_VERSIONS = {}


def jupyterhub_version(client, image):
    """The jupyterhub version installed in ``image`` (None if absent).

    The probe has no network and is removed afterwards.
    """
    probe = client.create_container(
        image=image,
        command=["/bin/sh", "-c", f"python3 -c '{VERSION_PROBE}' || echo '{NO_JUPYTERHUB}'"],
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
    last = lines[-1].strip() if lines else NO_JUPYTERHUB
    return None if last == NO_JUPYTERHUB else last


def cached_jupyterhub_version(client, image_id):
    """``jupyterhub_version`` of ``image_id``, probed once per hub process."""
    if image_id not in _VERSIONS:
        _VERSIONS[image_id] = jupyterhub_version(client, image_id)
    return _VERSIONS[image_id]
