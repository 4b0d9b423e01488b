"""Users' working volumes: labels, creation, quarantine and removal, and the helper
containers that move their data (``kaggle-hub`` backs them up and restores them with it).

Data is moved with the Docker API's archive calls on helper containers that are created
and never started (no command runs, no network), so any local image serves as the helper.
"""

import io
import tarfile
from datetime import UTC, datetime

import docker

from ..images import inventory
from . import naming, quotas, standby
from .naming import LABEL_PREFIX

LABEL_USER = "org.kaggle-team-hub.user"
LABEL_SERVER = "org.kaggle-team-hub.server"
LABEL_QUARANTINED_AT = "org.kaggle-team-hub.quarantined-at"
LABEL_QUARANTINED_FROM = "org.kaggle-team-hub.quarantined-from"
LABEL_HELPER = "org.kaggle-team-hub.helper"
MOUNT = "/data"
CHUNK = 1024 * 1024


class VolumeError(RuntimeError):
    """A volume operation that cannot be done; the message says why and what to do."""


def labels(prefix, user, server=""):
    return {LABEL_PREFIX: prefix, LABEL_USER: user, LABEL_SERVER: server}


def ensure_volume(client, name, volume_labels, quota=None):
    """Create volume ``name`` with ``volume_labels`` unless it exists (with a ``quota``: as
    a filesystem of that size); True if created. An existing volume with a quota of its own
    is made ready to use (mounted; grown to ``quota`` if bigger and unused)."""
    try:
        info = client.inspect_volume(name)
    except docker.errors.NotFound:
        if quota is None:
            client.create_volume(name, labels=volume_labels)
        else:
            quotas.create(client, name, volume_labels, quota)
        return True
    growable = quota is not None and quotas.quota_file(info) is not None
    if quotas.needs_growing(info, quota):
        # A standby would keep the volume in use: the start is cold, with the new quota.
        standby.using(client, name)
    unused = growable and not containers_using(client, name)
    quotas.ready(info, quota if unused else None)
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
        self.responses = []
        try:
            quotas.ready(client.inspect_volume(volume))
        except docker.errors.NotFound:
            pass
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
        # Docker cannot remove a container while it still sends an archive of it.
        for response in self.responses:
            response.close()
        self.client.remove_container(self.id, force=True)

    def archive(self):
        """The volume's content as an iterator of tar chunks whose members are ``./...``;
        Docker sends it as it reads the files, so nothing holds the whole volume. Reading
        may stop early: leaving the helper ends the transfer."""
        # docker-py's get_archive gives no way to end a transfer early, so the same GET is
        # made here, keeping the response to close.
        url = self.client._url("/containers/{0}/archive", self.id)
        response = self.client._get(url, params={"path": f"{MOUNT}/."}, stream=True)
        self.client._raise_for_status(response)
        self.responses.append(response)
        return response.iter_content(CHUNK)

    def put(self, data):
        """Unpack ``data`` (a tar, plain or gzip: bytes, a file or an iterator of chunks)
        into the volume; Docker reads it as it comes."""
        if not self.client.put_archive(self.id, MOUNT, data):
            raise VolumeError(f"Docker refused to unpack the archive into {MOUNT}.")


class Counted:
    """``chunks`` passed through, counting the bytes in ``done`` and calling
    ``progress(bytes so far)`` after each chunk."""

    def __init__(self, chunks, progress=None):
        self.chunks = chunks
        self.progress = progress
        self.done = 0

    def __iter__(self):
        for chunk in self.chunks:
            self.done += len(chunk)
            if self.progress:
                self.progress(self.done)
            yield chunk


class ChunkReader(io.RawIOBase):
    """A file object reading an iterator of byte chunks, for tarfile's stream mode."""

    def __init__(self, chunks):
        self.chunks = iter(chunks)
        self.pending = b""

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self.pending:
            self.pending = next(self.chunks, b"")
            if not self.pending:
                return 0
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size


def is_empty(client, image, volume):
    """True if ``volume`` holds no file; stops reading at the first one."""
    with Helper(client, image, volume) as helper:
        stream = helper.archive()
        with tarfile.open(fileobj=ChunkReader(stream), mode="r|") as tar:
            return all(member.name in (".", "./") for member in tar)


def containers_using(client, volume):
    """Names of the containers (running or not) that mount ``volume``."""
    found = client.containers(all=True, filters={"volume": volume})
    return sorted(name.lstrip("/") for c in found for name in c.get("Names") or [])


def helper_image(client, preferred):
    """``preferred`` if it is on this machine, else any local image."""
    if inventory.image_id(client, preferred) is not None:
        return preferred
    for image in client.images():
        if image.get("RepoTags") and image["RepoTags"][0] != "<none>:<none>":
            return image["RepoTags"][0]
    raise VolumeError("There is no image on this machine to move volume data with.")


def copy(client, image, source, target, progress=None):
    """Copy every file of volume ``source`` into volume ``target``, streamed from one helper
    to the other; return the bytes moved."""
    with Helper(client, image, source) as src, Helper(client, image, target) as dst:
        chunks = Counted(src.archive(), progress)
        dst.put(iter(chunks))
    return chunks.done


def move(client, image, volume, target, labels, progress=None, quota=None):
    """Move ``volume``'s files to a new volume ``target`` labelled ``labels``, then remove
    ``volume``; return the bytes moved, or None if there is no such volume. VolumeError if
    ``target`` exists already (its files are never mixed with another's). With ``quota``,
    ``target`` is a filesystem of that size."""
    if volume_info(client, volume) is None:
        return None
    if volume_info(client, target) is not None:
        raise VolumeError(
            f"Volume {target} exists already: move or remove it (kaggle-hub volumes lists "
            f"it) before {volume} can take its name."
        )
    ensure_volume(client, target, labels, quota)
    moved = copy(client, image, volume, target, progress)
    remove(client, volume)
    return moved


def quarantined(volume, labels, now=None):
    """``(name, labels)`` of the copy a deleted server's ``volume`` (labelled ``labels``) is
    kept as: ``{volume}-deleted-{UTC time}``."""
    now = now or datetime.now(UTC)
    target = naming.quarantine_name(volume, now.strftime("%Y%m%dT%H%M%SZ"))
    # The copy is a plain volume: the quota's filesystem goes with the original.
    kept = {k: v for k, v in labels.items() if k != quotas.LABEL_QUOTA_FILE}
    return target, {**kept, LABEL_QUARANTINED_AT: now.isoformat(), LABEL_QUARANTINED_FROM: volume}


def quarantine(client, image, volume, owner_labels, now=None, progress=None):
    """Move ``volume`` to ``{volume}-deleted-{UTC time}``; return ``(new name, bytes moved)``,
    or None if there is no such volume.

    ``owner_labels`` label the copy when the volume has none of its own.
    """
    old = volume_info(client, volume)
    if old is None:
        return None
    target, labels = quarantined(volume, old or owner_labels, now)
    moved = move(client, image, volume, target, labels, progress)
    return target, moved


def remove(client, volume):
    """Remove ``volume`` (and its filesystem, for one with a quota); False if there is none."""
    try:
        info = client.inspect_volume(volume)
        client.remove_volume(volume)
    except docker.errors.NotFound:
        return False
    quotas.release(info)
    return True


def remove_if_unused(client, volume):
    """Remove ``volume`` unless a container still uses it; True if removed."""
    try:
        return remove(client, volume)
    except docker.errors.APIError as e:
        if e.status_code != 409:
            raise
        return False
