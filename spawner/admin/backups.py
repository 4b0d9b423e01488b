"""Listing, backup and restore of users' working volumes, for ``kaggle-hub``.

Every copy is streamed: Docker sends and takes the tar as it reads and writes the files, so
memory stays flat whatever the volume's size. A restore replaces the volume's content (the
previous content is kept as a quarantined volume) and is all or nothing: the archive is
read through and checked before anything is written, and a failed unpack leaves the volume
empty again.

One parser decides what is restored: Docker is never handed the archive itself, but a tar
written here from the members Python's tarfile read and checked, so a header one parser
reads and another skips cannot smuggle a file past the check. Data after the last member
tarfile reads (anything but the zero blocks that end a tar) fails the restore.
"""

import fcntl
import gzip
import hashlib
import io
import json
import logging
import os
import posixpath
import tarfile
import time
import zlib
from contextlib import contextmanager
from pathlib import Path

import docker

from .. import runtime
from ..server import naming, quotas, standby, team
from ..server.volumes import (
    CHUNK,
    LABEL_PREFIX,
    LABEL_QUARANTINED_AT,
    LABEL_SERVER,
    LABEL_USER,
    ChunkReader,
    Counted,
    Helper,
    VolumeError,
    containers_using,
    copy,
    ensure_volume,
    is_empty,
    quarantine,
    volume_info,
)

log = logging.getLogger("JupyterHub")

# gzip's own default: a quarter of level 9's time for a few percent more bytes.
COMPRESSION = 6
# The one extended attribute a backup carries and a restore puts back: who made each file
# of the team folder (Docker's archive leaves user attributes out; its unpacking applies
# any in the tar's PAX records).
OWNER_RECORD = f"SCHILY.xattr.{team.OWNER_XATTR}"


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
    """Working volumes of hub ``prefix``, live and quarantined, and its team folder
    (``team``: True; no user), as dicts sorted by name; ``standby``: the id of the standby
    made for the volume's server, if there is one."""
    found = []
    for v in client.volumes().get("Volumes") or []:
        owner = _owner(v, prefix)
        if owner:
            found.append((v, owner))
    containers = client.containers(all=True)
    mounted = {
        m.get("Name")
        for c in containers
        if not standby.is_standby(c)
        for m in c.get("Mounts") or []
    }
    # A standby mounts its server's working volume (and the team folder's).
    standby_of = {
        m.get("Name"): c["Id"]
        for c in containers
        if standby.is_standby(c)
        for m in c.get("Mounts") or []
    }
    size_of = volume_sizes(client, [v["Name"] for v, _ in found]) if sizes else {}
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
                "team": team.is_team_volume(v),
                "standby": None if team.is_team_volume(v) else standby_of.get(v["Name"]),
                "quota": quotas.quota_file(v) is not None,
                "quota_use": quotas.use(v),
            }
        )
    return sorted(rows, key=lambda r: r["name"])


# Docker (before 23.0) refuses a disk-usage count while another one runs (the admin page,
# a backup, another admin's ``kaggle-hub volumes``) instead of waiting for it.
DF_BUSY = "a disk usage operation is already running"
DF_WAIT_SECONDS = 30


# Counts asked for at once (listings, a backup) share one: the first counts while the others
# wait on its lock, then take what it found if it ended while they waited and holds every
# volume they want. A count takes Docker seconds of CPU (it sizes every image too), and
# six, one after another, once outlasted the wait.
def volume_sizes(
    client,
    want=(),
    seconds=DF_WAIT_SECONDS,
    clock=time.monotonic,
    sleep=time.sleep,
    shared_dir=runtime.DIR,
):
    """Bytes in each volume as Docker counts them (-1: it cannot say), by name. While
    another count runs this one waits up to ``seconds`` for it; then the sizes are unknown
    ({}), which leaves the listing or the copy that wanted them to go on. ``want``: the
    volumes the caller looks up (a count shared with another caller must hold them)."""
    asked = time.time()
    with _shared_count(client, shared_dir, asked) as (recent, keep):
        if recent is not None and set(want) <= recent.keys():
            return recent
        sizes = _count(client, seconds, clock, sleep)
        if sizes:
            keep(sizes)
        return sizes


@contextmanager
def _shared_count(client, shared_dir, asked):
    """``(sizes of a count that ended after ``asked`` or None, keep)`` for this engine,
    holding its lock; without a folder to share through (a user who cannot write it), each
    counts."""
    engine_key = hashlib.sha256(str(getattr(client, "base_url", "")).encode()).hexdigest()[:16]
    folder = runtime.shared_dir(shared_dir)
    found = folder / f"volume-sizes-{engine_key}.json" if folder else None
    try:
        lock = open(f"{found}.lock", "a") if found else None
    except OSError:
        lock = None
    if lock is None:
        yield None, lambda sizes: None
        return
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            recent = json.loads(found.read_text())
            fresh = found.stat().st_mtime >= asked
        except (OSError, ValueError):
            recent, fresh = None, False
        yield (recent if fresh else None), lambda sizes: found.write_text(json.dumps(sizes))


def _count(client, seconds, clock, sleep):
    deadline = clock() + seconds
    while True:
        try:
            usage = client.df()
        except docker.errors.APIError as e:
            if DF_BUSY not in str(e):
                raise
            if clock() >= deadline:
                log.warning(
                    "Volume sizes unknown: Docker was counting disk usage for %.0f s", seconds
                )
                return {}
            sleep(0.5)
            continue
        return {
            v["Name"]: (v.get("UsageData") or {}).get("Size", -1)
            for v in usage.get("Volumes") or []
        }


def volume_size(client, volume):
    """Bytes in ``volume`` as Docker counts them, or None if it cannot say."""
    size = volume_sizes(client, [volume]).get(volume, -1)
    return size if size >= 0 else None


def open_private(path):
    """``path`` opened for writing bytes, readable by its owner only: a backup holds a
    user's files (``.kaggle/kaggle.json`` among them) or the hub's keys."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    return os.fdopen(fd, "wb")


def backup(client, image, volume, path, progress=None):
    """Write volume ``volume`` to ``path`` as a tar.gz whose members are relative (./...).

    The file appears only once complete, readable by its owner only; ``progress(bytes
    read)`` follows the copy.
    """
    if volume_info(client, volume) is None:
        raise VolumeError(f"There is no volume {volume!r}: 'kaggle-hub volumes' lists them.")
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    info = client.inspect_volume(volume)
    makers_in = info.get("Mountpoint") if team.is_team_volume(info) else None
    try:
        with Helper(client, image, volume) as helper, open_private(partial) as raw:
            with gzip.GzipFile(
                filename=path.name, mode="wb", fileobj=raw, compresslevel=COMPRESSION
            ) as gz:
                chunks = Counted(helper.archive(), progress)
                if makers_in and os.path.isdir(makers_in):
                    chunks = with_makers(chunks, makers_in)
                for chunk in chunks:
                    gz.write(chunk)
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def refusal(member, links):
    """Why ``member`` must not be unpacked into a user's volume, or None.

    ``links`` holds the normalised paths of the archive's symbolic links so far.
    """
    name = posixpath.normpath(member.name)
    if _outside(name):
        return "a path outside the volume"
    if member.ischr() or member.isblk():
        return "a device node"
    if not (member.isreg() or member.isdir() or member.issym() or member.islnk()):
        return "a special file (a named pipe or socket)"
    if member.mode & 0o6000:
        return "a setuid or setgid file"
    if member.islnk() and _outside(posixpath.normpath(member.linkname)):
        return "a hard link to a file outside the volume"
    parents = name.split("/")[:-1]
    for depth in range(1, len(parents) + 1):
        if "/".join(parents[:depth]) in links:
            return "a path through one of its own symbolic links"
    return None


def _outside(name):
    return name.startswith("/") or name == ".." or name.startswith("../")


def no_meter(what, total=None):
    """The ``meter`` of an operation nobody watches: no progress callback."""
    return None


class _Recorder(io.RawIOBase):
    """A readable stream passed through, keeping its last ``keep`` bytes and its position,
    so that what follows the tar's last member can be checked after tarfile stops."""

    def __init__(self, stream, keep):
        self.stream = stream
        self.keep = keep
        self.recent = bytearray()
        self.position = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        self.recent += data
        del self.recent[: max(0, len(self.recent) - self.keep)]
        self.position += len(data)
        return len(data)

    def rest_is_zeros(self, offset):
        """True if every byte from ``offset`` to the end of the stream is NUL."""
        start = self.position - len(self.recent)
        if offset < start:
            return False
        if self.recent[offset - start :].strip(b"\0"):
            return False
        while chunk := self.stream.read(CHUNK):
            if chunk.strip(b"\0"):
                return False
        return True


def _checked_members(path, progress=None):
    """Each ``(tar, member)`` of the tar.gz at ``path``, checked; VolumeError naming the first
    member that must not be restored, data after the last member, or the damage if it is
    not a complete tar.gz."""
    links = set()
    with open(path, "rb") as raw:
        try:
            # GzipFile under tarfile's plain stream mode: "r|gz" decompresses in small
            # pieces, over a hundred times slower on a GB-sized archive.
            source = _Recorder(gzip.GzipFile(fileobj=raw), keep=4 * CHUNK)
            with tarfile.open(fileobj=source, mode="r|", bufsize=CHUNK) as tar:
                for member in tar:
                    reason = refusal(member, links)
                    if reason:
                        raise VolumeError(
                            f"{str(path)!r} holds {member.name!r}, {reason}: nothing was restored."
                        )
                    if member.issym():
                        links.add(posixpath.normpath(member.name))
                    yield tar, member
                    if progress:
                        progress(raw.tell())
                if not source.rest_is_zeros(tar.offset):
                    raise VolumeError(
                        f"{str(path)!r} holds data after byte {tar.offset} of its tar that "
                        "cannot be read as files (a damaged or crafted header): nothing was "
                        "restored."
                    )
        except (tarfile.TarError, EOFError, zlib.error, OSError) as e:
            raise VolumeError(
                f"{str(path)!r} is not a complete .tar.gz ({e}): nothing was restored."
            ) from None


def check_archive(path, progress=None):
    """Read the whole tar.gz at ``path``; raise VolumeError as ``_checked_members`` does."""
    for _ in _checked_members(path, progress):
        pass


class _Pipe(io.RawIOBase):
    """Bytes written, taken out by whoever reads the other end."""

    def __init__(self):
        self.buffer = bytearray()

    def writable(self):
        return True

    def write(self, data):
        self.buffer += data
        return len(data)

    def take(self):
        data = bytes(self.buffer)
        self.buffer.clear()
        return data


def with_makers(chunks, root):
    """The tar ``chunks`` of the team folder whose files are in host folder ``root``, each
    member with its maker's record as a PAX record, as chunks."""
    pipe = _Pipe()
    with (
        tarfile.open(fileobj=ChunkReader(chunks), mode="r|", bufsize=CHUNK) as tar,
        tarfile.open(fileobj=pipe, mode="w|", format=tarfile.PAX_FORMAT) as out,
    ):
        for member in tar:
            maker = team.owner(os.path.join(root, posixpath.normpath(member.name)))
            if maker:
                member.pax_headers[OWNER_RECORD] = maker
            out.addfile(member, tar.extractfile(member) if member.isreg() else None)
            if len(pipe.buffer) >= CHUNK:
                yield pipe.take()
    yield pipe.take()


def checked_tar(path, progress=None):
    """The tar Docker unpacks for the tar.gz at ``path``, as chunks: written here from the
    members read and checked, and nothing else. Of the extended attributes an archive may
    hold, Docker is given only the team folder's maker records: one of another kind could
    give a file capabilities."""
    pipe = _Pipe()
    with tarfile.open(fileobj=pipe, mode="w|", format=tarfile.PAX_FORMAT) as out:
        for tar, member in _checked_members(path, progress):
            member.pax_headers = {
                key: value
                for key, value in member.pax_headers.items()
                if "xattr." not in key or key == OWNER_RECORD
            }
            out.addfile(member, tar.extractfile(member) if member.isreg() else None)
            if len(pipe.buffer) >= CHUNK:
                yield pipe.take()
    yield pipe.take()


def _make_room(client, image, volume, volume_labels, force, meter):
    """Leave ``volume`` existing and empty; return the quarantined volume that now holds
    its previous content, if it had any (only with ``force``)."""
    # A standby holds what the volume held; the next start is cold, with the restored files.
    standby.using(client, volume)
    users = containers_using(client, volume)
    if users:
        raise VolumeError(
            f"Volume {volume!r} is in use by {', '.join(users)}: stop that server first (on "
            "the admin page), then restore. Nothing was changed."
        )
    if ensure_volume(client, volume, volume_labels) or is_empty(client, image, volume):
        return None
    if not force:
        raise VolumeError(
            f"Volume {volume!r} is not empty: nothing was changed. Pass --force to replace "
            "its content (the current content is kept first, as a quarantined volume)."
        )
    progress = meter(f"keeping the content of {volume}", volume_size(client, volume))
    saved, _ = quarantine(client, image, volume, volume_labels, progress=progress)
    ensure_volume(client, volume, volume_labels)
    return saved


def _fill(client, volume, volume_labels, saved, unpack):
    """Run ``unpack()``; if it fails, leave ``volume`` empty and say where its previous
    content is."""
    try:
        unpack()
    except BaseException as e:
        client.remove_volume(volume)
        ensure_volume(client, volume, volume_labels)
        if not isinstance(e, Exception):
            raise
        kept = f"; its previous content is in {saved}" if saved else ""
        explanation = getattr(e, "explanation", None) or e
        raise VolumeError(
            f"The restore failed ({explanation}): {volume} is left empty{kept}."
        ) from e


def restore(client, image, volume, path, volume_labels, force=False, meter=no_meter):
    """Replace ``volume``'s content with the tar.gz at ``path``; refuse a volume in use, and
    a non-empty one unless ``force``. Return the quarantined volume holding the previous
    content, or None. ``meter(what, bytes expected)`` gives each step's progress callback."""
    path = Path(path)
    if not path.is_file():
        raise VolumeError(f"There is no file {str(path)!r} to restore: nothing was changed.")
    size = path.stat().st_size
    check_archive(path, meter(f"checking {path}", size))
    saved = _make_room(client, image, volume, volume_labels, force, meter)

    def unpack():
        progress = meter(f"restoring {path}", size)
        with Helper(client, image, volume) as helper:
            helper.put(checked_tar(path, progress))

    _fill(client, volume, volume_labels, saved, unpack)
    return saved


def restore_volume(client, image, volume, source, volume_labels, force=False, meter=no_meter):
    """Replace ``volume``'s content with a copy of volume ``source`` (e.g. a quarantined
    one), as ``restore`` does with a file."""
    if volume_info(client, source) is None:
        raise VolumeError(f"There is no volume {source!r}: 'kaggle-hub volumes' lists them.")
    saved = _make_room(client, image, volume, volume_labels, force, meter)

    def unpack():
        progress = meter(f"copying {source}", volume_size(client, source))
        copy(client, image, source, volume, progress)

    _fill(client, volume, volume_labels, saved, unpack)
    return saved
