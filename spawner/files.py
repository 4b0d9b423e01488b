"""Files written whole: a reader finds the old content or the new, never part of either."""

import os
import tempfile
from pathlib import Path


def write_private(path, text):
    """Replace ``path`` with ``text`` atomically, owner-only. Each writer has a temporary
    file of its own beside it, so writers at once (threads, processes) do not mix; its
    short name fits wherever ``path``'s does (a secrets file's name is near the limit)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
