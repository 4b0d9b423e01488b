"""What admins are told of the scheduled backups: the plan, the last success, a failure."""

from datetime import UTC, datetime

from spawner.hub import backupstatus
from spawner.settings.backups import BackupSettings

SCHEDULED = BackupSettings(folder="/mnt/backup")


def test_the_status_of_a_hub_that_never_backed_up(tmp_path):
    ok, lines = backupstatus.status_lines(tmp_path, SCHEDULED)
    assert ok
    assert lines == [
        "Backups run daily at 03:00 into /mnt/backup, 7 kept.",
        "No backup has been written yet.",
    ]
    ok, lines = backupstatus.status_lines(tmp_path, BackupSettings())
    assert ok
    assert lines[0].startswith("Scheduled backups are off: set KAGGLE_HUB_BACKUP_DIR")


def test_a_failure_after_a_success_shows_both(tmp_path):
    manifest = {"volumes": [{}, {}], "bytes": 3_670_016, "seconds": 12.4}
    first = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    backupstatus.record(tmp_path, first, "/mnt/backup/20261204T020000Z", manifest)
    ok, lines = backupstatus.status_lines(tmp_path, SCHEDULED)
    assert ok
    assert "2 volumes, 3.5 MB in 12.4 s, in /mnt/backup/20261204T020000Z." in lines[1]

    backupstatus.record(tmp_path, datetime(2026, 12, 5, 2, 0, tzinfo=UTC), error="disk full")
    ok, lines = backupstatus.status_lines(tmp_path, SCHEDULED)
    assert not ok
    assert "in /mnt/backup/20261204T020000Z." in lines[1]
    assert lines[2].endswith("FAILED: disk full")
    assert backupstatus.last_attempt(tmp_path) == datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


def test_only_admins_are_shown_the_backups(tmp_path):
    class Member:
        def __init__(self, admin):
            self.admin = admin

    assert backupstatus.for_admins(tmp_path, SCHEDULED, None) is None
    assert backupstatus.for_admins(tmp_path, SCHEDULED, Member(admin=False)) is None
    ok, lines = backupstatus.for_admins(tmp_path, SCHEDULED, Member(admin=True))
    assert ok
    assert lines[0] == "Backups run daily at 03:00 into /mnt/backup, 7 kept."
