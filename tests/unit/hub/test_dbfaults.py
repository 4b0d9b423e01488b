import sqlite3

from spawner.hub.dbfaults import unusable_message


def test_each_cause_gets_its_fix(tmp_path):
    full = sqlite3.OperationalError("database or disk is full")
    assert "is full: free space there" in unusable_message(full, tmp_path)
    locked = sqlite3.OperationalError("database is locked")
    assert "another program holds the lock" in unusable_message(locked, tmp_path)
    read_only = OSError(30, "Read-only file system")
    assert "is read-only: make it writable" in unusable_message(read_only, tmp_path)


def test_an_unknown_cause_is_quoted_and_points_at_the_data_dir(tmp_path):
    message = unusable_message(sqlite3.OperationalError("disk I/O error"), tmp_path)
    assert message == (
        "The hub cannot use its data directory (disk I/O error); see the disk of the hub's "
        f"data directory {tmp_path}."
    )
