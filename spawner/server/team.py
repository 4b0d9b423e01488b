"""The team folder: one volume every member's server mounts at ``WORK_DIR/<name>``, for the
files the team works on together.

Servers run as root, so the filesystem's owner of a file says nothing about the member who
made it. Each file's maker is kept in its extended attribute ``OWNER_XATTR``: set by the
server's contents manager for what JupyterLab saves, uploads and copies, and by the kernel
for files a notebook opens for writing. A file made otherwise (a terminal's ``cp``) has no
owner on record. Renames keep it; backups of the team folder keep it too (``owners``).
"""

import os
import time
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..sizes import human_size
from . import layout
from .naming import LABEL_PREFIX

LABEL_TEAM = "org.kaggle-team-hub.team-folder"
OWNER_XATTR = "user.kaggle-team-hub.owner"
# Where a server finds its team folder, and the group that makes it read-only there (set
# only in the servers of that group's members).
ENV_FOLDER = "KAGGLE_HUB_TEAM_FOLDER"
ENV_READ_ONLY_GROUP = "KAGGLE_HUB_TEAM_READ_ONLY_GROUP"
# Names the working tree already uses.
TAKEN = (*layout.TREE, ".kaggle", ".jupyter")
# The home page lists this many of the latest files, out of at most SCAN_LIMIT looked at.
RECENT = 10
SCAN_LIMIT = 20000


def volume_name(prefix):
    return f"{prefix}-team"


def labels(prefix):
    return {LABEL_PREFIX: prefix, LABEL_TEAM: "1"}


def is_team_volume(info):
    return (info.get("Labels") or {}).get(LABEL_TEAM) == "1"


def folder_problem(name):
    """Why ``name`` cannot name the team folder in the working tree, or None."""
    if not name or name.startswith(".") or "/" in name or name in TAKEN:
        return (
            f"{name!r} cannot name the team folder: use a plain folder name (e.g. team) "
            f"other than {', '.join(TAKEN)}, or off."
        )
    return None


def path(name):
    """Where the team folder named ``name`` is inside a server."""
    return f"{layout.WORK_DIR}/{name}"


def bind(prefix, name, read_only):
    """The DockerSpawner ``volumes`` entry mounting the team folder."""
    return {volume_name(prefix): {"bind": path(name), "mode": "ro" if read_only else "rw"}}


def environment(name, read_only_group):
    return {ENV_FOLDER: path(name), ENV_READ_ONLY_GROUP: read_only_group}


def owner(file_path):
    """The member who made ``file_path`` ('' when none is on record)."""
    try:
        return os.getxattr(file_path, OWNER_XATTR, follow_symlinks=False).decode()
    except OSError:
        return ""


@dataclass(frozen=True)
class Entry:
    path: str  # relative to the team folder
    owner: str
    size: int
    modified: float

    def row(self, now=None):
        """For the home page: path, owner, size and how long ago it changed, as text."""
        minutes = int(((now or time.time()) - self.modified) // 60)
        if minutes < 1:
            ago = "just now"
        elif minutes < 120:
            ago = f"{minutes} min ago"
        elif minutes < 48 * 60:
            ago = f"{minutes // 60} h ago"
        else:
            ago = f"{minutes // 1440} days ago"
        return {
            "path": self.path,
            "owner": self.owner or "not on record",
            "size": human_size(self.size),
            "ago": ago,
        }


def recent(root, count=RECENT, limit=SCAN_LIMIT):
    """``(the count latest files under root, files looked at, whether it stopped at limit)``.
    Hidden files and folders are left out, as JupyterLab does."""
    found = []
    looked = 0
    stack = [root]
    while stack and looked < limit:
        try:
            listing = os.scandir(stack.pop())
        except OSError:
            continue
        with listing:
            for e in listing:
                if looked >= limit:
                    break
                if e.name.startswith("."):
                    continue
                if e.is_dir(follow_symlinks=False):
                    stack.append(e.path)
                elif e.is_file(follow_symlinks=False):
                    looked += 1
                    try:
                        stat = e.stat(follow_symlinks=False)
                    except OSError:  # removed meanwhile
                        continue
                    found.append((stat.st_mtime, e.path, stat.st_size))
    found.sort(reverse=True)
    entries = [
        Entry(str(PurePosixPath(p).relative_to(root)), owner(p), size, mtime)
        for mtime, p, size in found[:count]
    ]
    return entries, looked, looked >= limit
