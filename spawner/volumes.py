"""Users' working volumes: labels, listing, backup, restore, quarantine and removal.

Data is moved with the Docker API's archive calls on helper containers that are created
and never started (no command runs, no network), so any local image serves as the helper.
"""

import gzip
import io
import tarfile
from datetime import UTC, datetime

import docker

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
    """Create volume ``name`` with ``volume_labels`` unless it exists."""
    try:
        client.inspect_volume(name)
    except docker.errors.NotFound:
        client.create_volume(name, labels=volume_labels)


def volume_info(client, name):
    """The volume's labels, or None if there is no such volume."""
    try:
        return client.inspect_volume(name).get("Labels") or {}
    except docker.errors.NotFound:
        return None


def _owner(volume, prefix):
    """``(user, server)`` from the volume's labels, else from its name (volumes made before
    labels were set), else None: not a working volume of hub ``prefix``."""
    lab = volume.get("Labels") or {}
    if lab.get(LABEL_PREFIX) == prefix:
        return lab.get(LABEL_USER, ""), lab.get(LABEL_SERVER, "")
    if lab.get(LABEL_PREFIX):
        return None
    return naming.parse_volume_name(prefix, volume["Name"])


def list_volumes(client, prefix, sizes=True):
    """Working volumes of hub ``prefix``, live and quarantined, as dicts sorted by name."""
    found = []
    for v in client.volumes().get("Volumes") or []:
        owner = _owner(v, prefix)
        if owner:
            found.append((v, owner))
    size_of = {}
    if sizes:
        for v in client.df().get("Volumes") or []:
            size_of[v["Name"]] = (v.get("UsageData") or {}).get("Size", -1)
    rows = []
    for v, (user, server) in found:
        lab = v.get("Labels") or {}
        rows.append(
            {
                "name": v["Name"],
                "user": user,
                "server": server,
                "quarantined_at": lab.get(LABEL_QUARANTINED_AT, ""),
                "size": size_of.get(v["Name"], -1),
            }
        )
    return sorted(rows, key=lambda r: r["name"])


class _Helper:
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


def _tar_bytes(stream):
    buffer = io.BytesIO()
    for chunk in stream:
        buffer.write(chunk)
    buffer.seek(0)
    return buffer


def helper_image(client, preferred):
    """``preferred`` if it is on this machine, else any local image."""
    try:
        client.inspect_image(preferred)
        return preferred
    except docker.errors.NotFound:
        pass
    for image in client.images():
        if image.get("RepoTags") and image["RepoTags"][0] != "<none>:<none>":
            return image["RepoTags"][0]
    raise VolumeError("There is no image on this machine to move volume data with.")


def is_empty(client, image, volume):
    with _Helper(client, image, volume) as helper:
        with tarfile.open(fileobj=_tar_bytes(helper.archive()), mode="r|") as tar:
            return all(m.name.rstrip("/") in ("data", ".") for m in tar)


def copy(client, image, source, target):
    """Copy every file of volume ``source`` into volume ``target`` (created if missing)."""
    with _Helper(client, image, source) as src, _Helper(client, image, target) as dst:
        # The archive's members are data/...; unpacked at / they land in the target volume.
        dst.put("/", _tar_bytes(src.archive()))


def backup(client, image, volume, path):
    """Write volume ``volume`` to ``path`` as a tar.gz whose members are relative (./...)."""
    if volume_info(client, volume) is None:
        raise VolumeError(f"There is no volume {volume!r}: 'kaggle-hub volumes' lists them.")
    with _Helper(client, image, volume) as helper:
        source = tarfile.open(fileobj=_tar_bytes(helper.archive()), mode="r|")
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb") as gz:
            with tarfile.open(fileobj=gz, mode="w|") as out:
                for member in source:
                    member.name = "." + member.name[len("data") :]
                    data = source.extractfile(member) if member.isfile() else None
                    out.addfile(member, data)


def _empty_target(client, image, volume, volume_labels, force):
    """Create ``volume`` if missing; refuse one with files in it unless ``force``."""
    ensure_volume(client, volume, volume_labels)
    if not force and not is_empty(client, image, volume):
        raise VolumeError(
            f"Volume {volume!r} is not empty: nothing was changed. Purge it first, or pass "
            "--force to unpack over its files."
        )


def restore(client, image, volume, path, volume_labels, force=False):
    """Unpack the tar.gz at ``path`` into ``volume``; refuse a non-empty volume unless ``force``."""
    _empty_target(client, image, volume, volume_labels, force)
    with _Helper(client, image, volume) as helper, open(path, "rb") as archive:
        helper.put(MOUNT, archive)


def restore_volume(client, image, volume, source, volume_labels, force=False):
    """Copy volume ``source`` (e.g. a quarantined one) into ``volume``, as ``restore`` does."""
    if volume_info(client, source) is None:
        raise VolumeError(f"There is no volume {source!r}: 'kaggle-hub volumes' lists them.")
    _empty_target(client, image, volume, volume_labels, force)
    copy(client, image, source, volume)


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
