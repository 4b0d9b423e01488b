"""Shared datasets: one host directory every server sees read-only, laid out as Kaggle's.

``DATASETS_DIR`` holds Kaggle's layout, ``competitions/<slug>/`` and
``datasets/<owner>/<slug>/`` (what ``kaggle-hub datasets add`` makes), and plain
``<name>/`` folders put there by hand. In every user's working tree:

- ``input/competitions/`` and ``input/datasets/`` are the shared folders themselves, so
  ``/kaggle/input/competitions/<slug>/`` and ``/kaggle/input/datasets/<owner>/<slug>/``
  resolve as on Kaggle, including data added while the server runs;
- each competition, dataset and plain folder is also at ``input/<slug>/``, Kaggle's
  classic path (and so ``../input/<slug>/`` from ``code/``), as it was at the server's
  start. When two would take the same name, a plain folder wins, then a competition,
  then the first dataset by owner.

A user's own folder of the same name is hidden (not removed) while the shared one exists.
Nothing is copied per user.
"""

import contextlib
import os
import re
from pathlib import Path

from . import layout

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
COMPETITIONS = "competitions"
DATASETS = "datasets"


def subfolders(directory):
    """Subdirectories of ``directory`` with plain names, sorted ([] if it is missing)."""
    try:
        entries = os.scandir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return []
    with entries:
        return sorted(
            e.name for e in entries if e.is_dir(follow_symlinks=True) and NAME_PATTERN.match(e.name)
        )


def kaggle_folders(directory):
    """``(handle, host folder)`` of each competition (``competitions/<slug>``) and dataset
    (``<owner>/<slug>``) in Kaggle's layout under ``directory``, competitions first."""
    directory = Path(directory)
    found = [
        (f"{COMPETITIONS}/{slug}", directory / COMPETITIONS / slug)
        for slug in subfolders(directory / COMPETITIONS)
    ]
    for owner in subfolders(directory / DATASETS):
        found += [
            (f"{owner}/{slug}", directory / DATASETS / owner / slug)
            for slug in subfolders(directory / DATASETS / owner)
        ]
    return found


def plain_folders(directory):
    """Names of the plain folders put in ``directory`` by hand."""
    return [name for name in subfolders(directory) if name not in (COMPETITIONS, DATASETS)]


def classic_names(directory):
    """``{name: host folder}`` of everything shared, under the names of Kaggle's classic
    ``/kaggle/input/<name>/`` path."""
    directory = Path(directory).resolve()
    found = {name: directory / name for name in plain_folders(directory)}
    for _, folder in kaggle_folders(directory):
        found.setdefault(folder.name, folder)
    return found


def prepare(directory):
    """What a server started now mounts from ``directory``: ``{"dir": path, "kinds": [...]}``
    ({} with no directory). Kaggle's two folders are made first if the hub may write there,
    so that data added while the server runs appears in it; a server whose record lacks a
    kind never sees that kind's data until it restarts."""
    if not directory:
        return {}
    directory = Path(directory).resolve()
    for kind in (COMPETITIONS, DATASETS):
        with contextlib.suppress(OSError):
            (directory / kind).mkdir(exist_ok=True)
    kinds = [kind for kind in (COMPETITIONS, DATASETS) if (directory / kind).is_dir()]
    return {"dir": str(directory), "kinds": kinds}


def dataset_binds(directory):
    """DockerSpawner ``volumes`` entries mounting the shared datasets read-only under
    ``input/``: Kaggle's two folders whole, and each dataset under its classic name."""
    directory = Path(directory).resolve()
    input_dir = f"{layout.WORK_DIR}/input"
    binds = {
        str(directory / kind): {"bind": f"{input_dir}/{kind}", "mode": "ro"}
        for kind in (COMPETITIONS, DATASETS)
        if (directory / kind).is_dir()
    }
    for name, path in classic_names(directory).items():
        binds[str(path)] = {"bind": f"{input_dir}/{name}", "mode": "ro"}
    return binds
