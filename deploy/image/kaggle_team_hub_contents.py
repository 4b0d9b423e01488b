"""Saving files in a Kaggle Team Hub server when the user's working volume is full.

jupyter-server saves a file safely: it keeps a copy of the old content and puts it back if
the write fails. When the write fails because the volume is full, the answer JupyterLab
shows is about a missing temporary file ("No such file or directory: .~name"), and a new
file is left behind half written. This contents manager, set in
/etc/jupyter/jupyter_server_config.json, keeps jupyter-server's saving and changes the
answer: 507 "your working volume is full", how full, and what to do; a new file that could
not be written whole is removed.

In the team folder it records the member as the maker of what they save, upload or copy
there first, and a save refused because the folder is read-only for them says so.
"""

import errno
import os

import kaggle_team_hub_team as team
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado import web

# With less free space than this on the volume, a failed save is put down to a full one.
FULL_BELOW = 1 << 20


def caused_by(error, codes):
    """True if ``error`` or one it arose from is an OSError with one of ``codes``."""
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OSError) and error.errno in codes:
            return True
        error = error.__cause__ or error.__context__
    return False


def out_of_space(error):
    """True if ``error`` arose from "no space left" (a volume with a quota refuses a big
    save while it still has room for small ones)."""
    return caused_by(error, (errno.ENOSPC, errno.EDQUOT))


def usage(path):
    """(free, total) bytes of the filesystem holding ``path``."""
    stat = os.statvfs(path)
    return stat.f_bavail * stat.f_frsize, stat.f_blocks * stat.f_frsize


def human(size):
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024:
            return f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TB"


def full_message(path, free, total):
    return (
        f"{path} was not saved: your working volume is full ({human(total - free)} of "
        f"{human(total)} used). Delete files you no longer need, then save again; no "
        "earlier content was overwritten."
    )


class VolumeContentsManager(AsyncLargeFileManager):
    async def save(self, model, path=""):
        existed = await self.file_exists(path)
        os_path = self._get_os_path(path.strip("/"))
        try:
            saved = await super().save(model, path)
        except web.HTTPError as e:
            if e.status_code != 500:
                raise
            if team.inside(os_path) and caused_by(e, (errno.EROFS,)):
                directory = model.get("type") == "directory"
                raise web.HTTPError(403, team.read_only_message(path, directory)) from e
            free, total = usage(self.root_dir)
            if free >= FULL_BELOW and not out_of_space(e):
                raise
            if not existed and os.path.isfile(os_path):
                os.remove(os_path)
            self.log.warning("Not saved, the volume is full: %s", path)
            raise web.HTTPError(507, full_message(path, free, total)) from e
        if team.inside(os_path):
            team.record(os_path)
        return saved
