"""Listing, backup and restore of users' working volumes, for ``kaggle-hub``."""

import gzip
import tarfile
from pathlib import Path

from ..server import naming
from ..server.volumes import (
    LABEL_PREFIX,
    LABEL_QUARANTINED_AT,
    LABEL_SERVER,
    LABEL_USER,
    MOUNT,
    Helper,
    VolumeError,
    copy,
    ensure_volume,
    tar_bytes,
    volume_info,
)


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
    mounted = {m.get("Name") for c in client.containers(all=True) for m in c.get("Mounts") or []}
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
                "in_use": v["Name"] in mounted,
            }
        )
    return sorted(rows, key=lambda r: r["name"])


def is_empty(client, image, volume):
    with Helper(client, image, volume) as helper:
        with tarfile.open(fileobj=tar_bytes(helper.archive()), mode="r|") as tar:
            return all(m.name.rstrip("/") in ("data", ".") for m in tar)


def backup(client, image, volume, path):
    """Write volume ``volume`` to ``path`` as a tar.gz whose members are relative (./...)."""
    if volume_info(client, volume) is None:
        raise VolumeError(f"There is no volume {volume!r}: 'kaggle-hub volumes' lists them.")
    with Helper(client, image, volume) as helper:
        source = tarfile.open(fileobj=tar_bytes(helper.archive()), mode="r|")
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
    if not Path(path).is_file():
        raise VolumeError(f"There is no file {str(path)!r} to restore: nothing was changed.")
    _empty_target(client, image, volume, volume_labels, force)
    with Helper(client, image, volume) as helper, open(path, "rb") as archive:
        helper.put(MOUNT, archive)


def restore_volume(client, image, volume, source, volume_labels, force=False):
    """Copy volume ``source`` (e.g. a quarantined one) into ``volume``, as ``restore`` does."""
    if volume_info(client, source) is None:
        raise VolumeError(f"There is no volume {source!r}: 'kaggle-hub volumes' lists them.")
    _empty_target(client, image, volume, volume_labels, force)
    copy(client, image, source, volume)
