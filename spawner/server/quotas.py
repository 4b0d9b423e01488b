"""Per-user disk quotas: a working volume made with a quota is a filesystem of its own, an
ext4 file of the quota's size in the hub's quota folder, loop-mounted on the hub's machine,
which Docker's local driver binds into the server. A write past the quota fails in the
filesystem itself, for the member alone; the rest of the disk stays free for the team.

Docker's local driver cannot mount a file (its ``o=loop`` is refused: the kernel's mount
does not set up loop devices), so the hub mounts it, and mounts it again before any use
after a reboot. The folder a volume is mounted on is made immutable while nothing is
mounted on it: a server started without its filesystem fails to write instead of writing
to the machine's disk, where the mounted filesystem would later hide the files.
"""

import fcntl
import logging
import os
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass

import docker

from ..sizes import human_size

log = logging.getLogger("JupyterHub")
LABEL_QUOTA_FILE = "org.kaggle-team-hub.quota-file"
# The share of a quota at which members are warned.
WARN_AT = 0.9
TOOL_SECONDS = 120


class QuotaError(RuntimeError):
    """A quota'd volume that cannot be made or mounted; the message says why and what to do."""


@dataclass(frozen=True)
class Quota:
    """Where quota'd volumes' files live, and each new volume's size in bytes."""

    folder: str
    size: int


@dataclass(frozen=True)
class Use:
    """A quota'd volume's use, in bytes."""

    used: int
    size: int

    @property
    def share(self):
        return self.used / self.size if self.size else 0.0

    @property
    def nearly_full(self):
        return self.share >= WARN_AT

    def quota_text(self):
        """The quota and how much of it is used, e.g. ``20.0 GB (93%)``."""
        return f"{human_size(self.size)} ({self.share:.0%})"

    def text(self):
        return f"{human_size(self.used)} of {self.quota_text()}"


def _run(*command, ok=(0,)):
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TOOL_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise QuotaError(f"{command[0]} failed: {e}") from None
    if done.returncode not in ok:
        raise QuotaError(f"{' '.join(command)} failed: {done.stderr.strip() or done.stdout}")
    return done.stdout


def quota_file(info):
    """The filesystem file of a volume's ``docker volume inspect`` answer, or None for a
    volume without a quota."""
    return ((info or {}).get("Labels") or {}).get(LABEL_QUOTA_FILE)


def mount_point(info):
    return (info.get("Options") or {}).get("device")


def _immutable(folder, on):
    # Some filesystems (tmpfs) have no such attribute: the folder then stays writable.
    try:
        _run("chattr", "+i" if on else "-i", folder)
    except QuotaError as e:
        log.warning("Cannot mark %s %s: %s", folder, "immutable" if on else "mutable", e)


def mount(image, target):
    """Mount the filesystem file ``image`` on ``target`` unless it is mounted there."""
    if os.path.ismount(target):
        return
    if not os.path.isfile(image):
        raise QuotaError(
            f"The file holding this volume's files, {image}, is missing: restore it from a "
            "backup (kaggle-hub restore), or remove the volume (kaggle-hub purge) to start "
            "afresh."
        )
    _run("mount", "-o", "loop", image, target)
    # Direct I/O from the loop device to its file: the page cache then holds the data
    # once (not for the file and the filesystem in it), and a flush is one write.
    try:
        _run("losetup", "--direct-io=on", _device(target))
    except QuotaError as e:
        log.warning("%s stays on buffered I/O: %s", image, e)
    # ext4's own folder, which members would see among their files (e2fsck makes it again
    # when it needs it).
    try:
        os.rmdir(os.path.join(target, "lost+found"))
    except OSError:
        pass


def _device(target):
    """The loop device mounted on ``target``."""
    return _run("findmnt", "-n", "-o", "SOURCE", "--target", target).strip()


def create(client, name, labels, quota):
    """Create volume ``name`` as an ext4 filesystem of ``quota.size`` bytes, mounted, and the
    Docker volume that binds it."""
    os.makedirs(quota.folder, mode=0o700, exist_ok=True)
    image = os.path.join(quota.folder, f"{name}.ext4")
    target = os.path.join(quota.folder, name)
    try:
        with open(image, "xb") as f:
            f.truncate(quota.size)  # sparse: the machine's disk holds only what is written
        _run("mkfs.ext4", "-q", "-F", "-m", "0", "-E", "lazy_itable_init=1", image)
        os.makedirs(target, mode=0o700, exist_ok=True)
        _immutable(target, True)
        mount(image, target)
        client.create_volume(
            name,
            driver="local",
            driver_opts={"type": "none", "o": "bind", "device": target},
            labels={**labels, LABEL_QUOTA_FILE: image},
        )
    except FileExistsError:
        raise QuotaError(
            f"{image} exists already without a Docker volume {name}: it holds files of an "
            "earlier volume of that name. Move it away (or delete it), then start again."
        ) from None
    except BaseException:
        release_files(image, target)
        raise
    log.info("Made volume %s with a quota of %s in %s", name, human_size(quota.size), image)


def ready(info, quota=None):
    """Before a use of an existing volume: mount its filesystem if it has one. With
    ``quota`` (only while no container uses the volume), first grow it to ``quota.size``
    when that is bigger: a quota is never shrunk under its files."""
    image = quota_file(info)
    if image is None:
        return
    target = mount_point(info)
    with _held(image):
        if quota is not None and quota.size > os.path.getsize(image):
            grow(image, target, quota.size)
        mount(image, target)


@contextmanager
def _held(image):
    """Hold the filesystem file ``image`` against the other uses of ``ready``, in this
    process (a start, the home page measuring a volume) and in others (kaggle-hub): two that
    both found it unmounted after a reboot mounted it twice, one over the other, and a grow
    then took the top one off, resized the file under the other, and left that one, with
    the old size, in use. A missing file is left to ``mount`` to report."""
    try:
        f = open(image, "rb")
    except FileNotFoundError:
        yield
        return
    with f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield


def needs_growing(info, quota):
    """Whether the volume (``info``) has a filesystem smaller than ``quota``."""
    image = quota_file(info)
    return image is not None and quota is not None and quota.size > os.path.getsize(image)


def grow(image, target, size):
    """Grow the filesystem in ``image`` to ``size`` bytes, unmounted (the kernel refuses
    to resize a mounted one without CAP_SYS_RESOURCE, which hosts may withhold)."""
    if os.path.ismount(target):
        _run("umount", target)
    # 1: e2fsck mended something (e.g. made lost+found again); the filesystem is sound.
    _run("e2fsck", "-f", "-p", image, ok=(0, 1))
    with open(image, "r+b") as f:
        f.truncate(size)
    _run("resize2fs", image)
    log.info("Grew %s to %s", image, human_size(size))


def use(info):
    """``Use`` of a quota'd volume whose filesystem is mounted, else None."""
    target = mount_point(info) if quota_file(info) else None
    if not target or not os.path.ismount(target):
        return None
    stat = os.statvfs(target)
    size = stat.f_blocks * stat.f_frsize
    return Use(size - stat.f_bfree * stat.f_frsize, size)


def release_files(image, target):
    """Unmount and delete a volume's filesystem file and its mount folder."""
    if os.path.ismount(target):
        _run("umount", target)
    if os.path.isdir(target):
        _immutable(target, False)
        os.rmdir(target)
    if os.path.exists(image):
        os.remove(image)


def release(info):
    """After Docker removed a quota'd volume: delete its filesystem."""
    image = quota_file(info)
    if image is not None:
        release_files(image, mount_point(info))
        log.info("Deleted %s", image)


def volume_use(client, name):
    """``Use`` of volume ``name``, or None (no quota, not mounted, no such volume)."""
    try:
        return use(client.inspect_volume(name))
    except docker.errors.NotFound:
        return None
