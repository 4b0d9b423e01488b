"""Who made each file of the team folder, kept in the file's extended attribute.

Every member's server runs as root, so a file's owner on disk names nobody. The hub mounts
the team folder at ``$KAGGLE_HUB_TEAM_FOLDER`` and this server's member is
``$JUPYTERHUB_USER``: a file made there without a maker on record gets this member as its
maker. The contents manager records what JupyterLab saves, uploads and copies; the kernel
records what a notebook opens for writing (``record_writes``). The hub's home page shows
the makers.
"""

import builtins
import errno
import io
import os

OWNER_XATTR = "user.kaggle-team-hub.owner"
FOLDER = os.environ.get("KAGGLE_HUB_TEAM_FOLDER", "")
READ_ONLY_GROUP = os.environ.get("KAGGLE_HUB_TEAM_READ_ONLY_GROUP", "")
MEMBER = os.environ.get("JUPYTERHUB_USER", "")
WRITING = set("wax+")


def inside(path):
    """True if ``path`` (absolute, resolved) is in the team folder, not the folder itself."""
    return bool(FOLDER) and path.startswith(FOLDER + "/")


def record(target):
    """Make this member the maker of ``target`` (a path or an open file descriptor) unless a
    maker is on record. A filesystem without user attributes keeps none."""
    try:
        os.getxattr(target, OWNER_XATTR)
        return
    except OSError as e:
        if e.errno != errno.ENODATA:
            return
    try:
        os.setxattr(target, OWNER_XATTR, MEMBER.encode(), os.XATTR_CREATE)
    except OSError:
        pass


def read_only_message(path, directory=False):
    who = f"members of the group {READ_ONLY_GROUP!r}" if READ_ONLY_GROUP else "you"
    done, again = ("made", "Make it") if directory else ("saved", "Save it")
    return (
        f"{path} was not {done}: the team folder is read-only for {who}. {again} in your "
        "own folders (code/) instead, or ask an admin for write access."
    )


def _recording(open_function):
    def opened(file, mode="r", *args, **kwargs):
        handle = open_function(file, mode, *args, **kwargs)
        if WRITING.intersection(mode) and isinstance(file, (str, bytes, os.PathLike)):
            path = os.path.realpath(os.fsdecode(file))
            if inside(path):
                record(handle.fileno())
        return handle

    opened.__wrapped__ = open_function
    opened.__doc__ = open_function.__doc__
    return opened


def record_writes():
    """Have every file this process opens for writing in the team folder recorded as this
    member's (``open`` and ``io.open``, which pandas, numpy and pathlib write through)."""
    if not FOLDER or not MEMBER or hasattr(builtins.open, "__wrapped__"):
        return
    builtins.open = _recording(builtins.open)
    io.open = _recording(io.open)
