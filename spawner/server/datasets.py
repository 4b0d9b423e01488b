"""Shared datasets: one host directory whose subdirectories every server sees read-only.

Each ``DATASETS_DIR/<name>/`` is mounted read-only at ``input/<name>/`` in every user's
working tree, so ``/kaggle/input/<name>/`` and ``../input/<name>/`` both reach it, with no
copy per user. A user's own folder of the same name is hidden (not removed) while the
shared one exists.
"""

import os
import re
from pathlib import Path

from . import layout

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def dataset_names(directory):
    """The datasets in ``directory``: subdirectories with plain names, sorted."""
    try:
        entries = os.scandir(directory)
    except FileNotFoundError:
        return []
    with entries:
        return sorted(
            e.name for e in entries if e.is_dir(follow_symlinks=True) and NAME_PATTERN.match(e.name)
        )


def dataset_binds(directory, names):
    """DockerSpawner ``volumes`` entries mounting each dataset read-only under ``input/``."""
    directory = Path(directory).resolve()
    return {
        str(directory / name): {"bind": f"{layout.WORK_DIR}/input/{name}", "mode": "ro"}
        for name in names
    }
