"""The backup schedule: a service the hub runs (and restarts if it dies) that writes a backup
set into KAGGLE_HUB_BACKUP_DIR at each time of KAGGLE_HUB_BACKUP_AT.

A time that passed while the hub was down is made up for at the next start, once; the
first start of a hub that never tried a backup waits for the next time. Each attempt,
written or failed, is recorded for ``kaggle-hub backup --status`` and the admin page.
"""

import argparse
import logging
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .. import engine
from ..hub import backupstatus
from ..settings.environment import REPO_DIR, env_file_path
from ..settings.hub import load
from . import backupsets

log = logging.getLogger("backups")

# At most this long between looks at the clock, so a changed clock is followed.
NAP_SECONDS = 60


def _slots_around(times, now):
    """The times of day as datetimes of yesterday, today and tomorrow, in ``now``'s zone."""
    today = now.date()
    return [
        datetime.combine(today + timedelta(days=d), t, tzinfo=now.tzinfo)
        for d in (-1, 0, 1)
        for t in times
    ]


def next_run(times, now, since):
    """When the next set is due: ``now`` if a time of day passed since ``since`` (the last
    attempt, or when the schedule began), else the first time of day after ``now``."""
    slots = _slots_around(times, now)
    passed = [t for t in slots if t <= now]
    if passed and since < passed[-1]:
        return now
    return min(t for t in slots if t > now)


def run_once(s, env_file, started):
    """Write one set and record the outcome; never raises for a failed backup."""
    try:
        client = engine.connect(engine.client_kwargs())
        path, manifest = backupsets.write_set(client, s, s.backups.folder, env_file, now=started)
    except Exception as e:
        error = getattr(e, "explanation", None) or e
        log.error("Backup failed: %s", error)
        _record(s.data_dir, started, error=error)
        return False
    log.info(
        "Backup written to %s: %d volumes, %d bytes in %.1f s",
        path,
        len(manifest["volumes"]),
        manifest["bytes"],
        manifest["seconds"],
    )
    _record(s.data_dir, started, path, manifest)
    return True


def _record(data_dir, started, *outcome, **error):
    try:
        backupstatus.record(data_dir, started, *outcome, **error)
    except OSError as e:
        log.error("The backup's outcome cannot be recorded in %s: %s", data_dir, e.strerror)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--config-dir", default=str(REPO_DIR))
    args = p.parse_args(argv)
    logging.basicConfig(
        format="[%(levelname).1s %(asctime)s.%(msecs)03d %(name)s] %(message)s",
        datefmt="%Y-%m-%d %H:%M:%S",
        level=logging.INFO,
    )
    config_dir = Path(args.config_dir)
    s = load(config_dir)
    if not s.backups.scheduled:
        log.info("KAGGLE_HUB_BACKUP_DIR is not set: no scheduled backups")
        return 0
    env_file = env_file_path(os.environ, config_dir)
    log.info("Backups at %s into %s", ", ".join(map(str, s.backups.at)), s.backups.folder)
    try:
        _follow(s, env_file)
    except KeyboardInterrupt:
        log.info("Stopped (a backup under way is removed, the others are kept)")
    return 0


def _follow(s, env_file):
    # A time is due once the clock passed it since the last attempt (of any hub that used
    # this data dir), or, when none was ever made, since the schedule began. An attempt
    # made here counts even when the data dir could not record it.
    began = datetime.now(UTC)
    tried = None
    while True:
        now = datetime.now().astimezone()
        attempts = [t for t in (backupstatus.last_attempt(s.data_dir), tried) if t]
        due = next_run(s.backups.at, now, max(attempts) if attempts else began)
        wait = (due - now).total_seconds()
        if wait > 0:
            time.sleep(min(wait, NAP_SECONDS))
            continue
        tried = datetime.now(UTC)
        run_once(s, env_file, tried)


if __name__ == "__main__":
    sys.exit(main())
