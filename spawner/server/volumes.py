"""Users' working volumes: labels, creation, quarantine and removal, and the helper
containers that move their data (``kaggle-hub`` backs them up and restores them with it).

Data is moved with the Docker API's archive calls on helper containers that are created
and never started (no command runs, no network), so any local image serves as the helper.
"""

import io
from datetime import UTC, datetime

import docker

from ..images import inventory
from . import naming

LABEL_USER = "org.kaggle-team-hub.user"
LABEL_SERVER = "org.kaggle-team-hub.server"
LABEL_PREFIX = "org.kaggle-team-hub.prefix"
LABEL_QUARANTINED_AT = "org.kaggle-team-hub.quarantined-at"
LABEL_QUARANTINED_FROM = "org.kaggle-team-hub.quarantined-from"
LABEL_HELPER = "org.kaggle-team-hub.helper"
MOUNT = "/data"


class VolumeError(RuntimeError):
    """A volume operation that cannot be done; the message says why and what to do."""


def labels(prefix, user, server=""):
    return {LABEL_PREFIX: prefix, LABEL_USER: user, LABEL_SERVER: server}


def ensure_volume(client, name, volume_labels):
    """Create volume ``name`` with ``volume_labels`` unless it exists; True if created."""
    try:
        client.inspect_volume(name)
    except docker.errors.NotFound:
        client.create_volume(name, labels=volume_labels)
        return True
    return False


def volume_info(client, name):
    """The volume's labels, or None if there is no such volume."""
    try:
        return client.inspect_volume(name).get("Labels") or {}
    except docker.errors.NotFound:
        return None


class Helper:
    """A created, never started container with ``volume`` at /data."""

    def __init__(self, client, image, volume):
        self.client = client
        host = client.create_host_config(
            binds={volume: {"bind": MOUNT, "mode": "rw"}}, network_mode="none"
        )
        try:
            self.id = client.create_container(
                image, command=["true"], host_config=host, labels={LABEL_HELPER: "1"}
            )["Id"]
        except docker.errors.ImageNotFound:
            raise VolumeError(
                f"The helper image {image!r} is not on this machine: set KAGGLE_HUB_IMAGE to "
                "an image that is, or get it first."
            ) from None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.client.remove_container(self.id, force=True)

    def archive(self):
        """The volume's content as a tar stream whose members start with ``data/``."""
        stream, _ = self.client.get_archive(self.id, MOUNT)
        return stream

    def put(self, path, data):
        if not self.client.put_archive(self.id, path, data):
            raise VolumeError(f"Docker refused to unpack the archive into {path}.")


def tar_bytes(stream):
    buffer = io.BytesIO()
    for chunk in stream:
        buffer.write(chunk)
    buffer.seek(0)
    return buffer


def helper_image(client, preferred):
    """``preferred`` if it is on this machine, else any local image."""
    if inventory.image_id(client, preferred) is not None:
        return preferred
    for image in client.images():
        if image.get("RepoTags") and image["RepoTags"][0] != "<none>:<none>":
            return image["RepoTags"][0]
    raise VolumeError("There is no image on this machine to move volume data with.")


def copy(client, image, source, target):
    """Copy every file of volume ``source`` into volume ``target`` (created if missing)."""
    with Helper(client, image, source) as src, Helper(client, image, target) as dst:
        # The archive's members are data/...; unpacked at / they land in the target volume.
        dst.put("/", tar_bytes(src.archive()))


def quarantine(client, image, volume, owner_labels, now=None):
    """Move ``volume`` to ``{volume}-deleted-{UTC time}``; return the new name.

    ``owner_labels`` label the copy when the volume has none of its own.
    """
    now = now or datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    target = naming.quarantine_name(volume, stamp)
    old = volume_info(client, volume)
    if old is None:
        return None
    client.create_volume(
        target,
        labels={
            **(old or owner_labels),
            LABEL_QUARANTINED_AT: now.isoformat(),
            LABEL_QUARANTINED_FROM: volume,
        },
    )
    copy(client, image, volume, target)
    client.remove_volume(volume)
    return target


def remove(client, volume):
    try:
        client.remove_volume(volume)
    except docker.errors.NotFound:
        return False
    return True


def remove_if_unused(client, volume):
    """Remove ``volume`` unless a container still uses it; True if removed."""
    try:
        return remove(client, volume)
    except docker.errors.APIError as e:
        if e.status_code != 409:
            raise
        return False
