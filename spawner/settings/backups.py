"""Scheduled backups: where the hub writes a full backup set, at which times, how many kept.

A set is the hub's state and every user's volume (see ``spawner.admin.backupsets``); with
``KAGGLE_HUB_BACKUP_DIR`` unset the hub schedules none (``kaggle-hub backup --all`` still
writes one on demand, given a folder).
"""

import re
from dataclasses import dataclass
from datetime import time

from .environment import SettingsError, count, raw
from .variables import Variable, declare

TIME_OF_DAY = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")

VARIABLES = declare(
    Variable(
        "KAGGLE_HUB_BACKUP_DIR",
        "folder the hub writes a backup set into on schedule (its state and every user's volume; "
        "see [Backups on a schedule](../howto/backups.md)); unset: no scheduled backups; "
        "refused on a swarm",
    ),
    Variable(
        "KAGGLE_HUB_BACKUP_AT",
        "times of day the scheduled backup starts, this machine's local time, `HH:MM[:SS]`, "
        "comma-separated",
        default="03:00",
    ),
    Variable(
        "KAGGLE_HUB_BACKUP_KEEP",
        "backup sets kept in `KAGGLE_HUB_BACKUP_DIR`; the oldest are removed after each new set",
        default="7",
    ),
)


def times_of_day(text):
    """The sorted, distinct ``datetime.time`` values of a comma-separated list of HH:MM[:SS]."""
    found = set()
    for item in text.split(","):
        match = TIME_OF_DAY.match(item.strip())
        if not match:
            raise SettingsError(
                f"KAGGLE_HUB_BACKUP_AT={text!r}: {item.strip()!r} is not a time of day; use "
                "HH:MM or HH:MM:SS, comma-separated, e.g. 03:00 or 03:00,13:30."
            )
        hour, minute, second = match.groups()
        found.add(time(int(hour), int(minute), int(second or 0)))
    return tuple(sorted(found))


@dataclass(frozen=True)
class BackupSettings:
    folder: str = ""
    at: tuple = times_of_day(raw({}, "KAGGLE_HUB_BACKUP_AT"))
    keep: int = count({}, "KAGGLE_HUB_BACKUP_KEEP")

    @property
    def scheduled(self):
        return bool(self.folder)


def from_env(env):
    """``BackupSettings`` from the variables; SettingsError names a bad one."""
    keep = count(env, "KAGGLE_HUB_BACKUP_KEEP")
    if keep < 1:
        raise SettingsError("KAGGLE_HUB_BACKUP_KEEP must be 1 or more.")
    return BackupSettings(
        folder=raw(env, "KAGGLE_HUB_BACKUP_DIR"),
        at=times_of_day(raw(env, "KAGGLE_HUB_BACKUP_AT")),
        keep=keep,
    )
