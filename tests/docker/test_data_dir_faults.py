"""Faults of the hub's data dir, caused for real: a full disk (a small tmpfs filled up), a
read-only mount, another program holding the database's lock. People are told the cause
with a 503, never logged out; the hub stops on SIGTERM whatever the disk does, and a start
it cannot make is refused in one line."""

import errno
import sqlite3
import subprocess
import time

import pytest
import requests

from ..waiting import wait_for

pytestmark = [pytest.mark.docker, pytest.mark.reliability]

DISK_SIZE = "64m"


@pytest.fixture
def small_disk(make_hub):
    """A hub, not started, whose data dir is a 64 MB tmpfs of its own."""
    hub = make_hub(start=False)
    data = hub.workdir / "data"
    data.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={DISK_SIZE}", "tmpfs", data], check=True)
    yield hub
    hub.stop()
    # The tmpfs, and the read-only mount over it if a failed test left it.
    while subprocess.run(["mountpoint", "-q", data]).returncode == 0:
        subprocess.run(["umount", "-l", data], check=True)


def fill(directory):
    """Write into ``directory`` until its disk is full; return the file written."""
    filler = directory / "filler"
    with open(filler, "wb") as f:
        try:
            while True:
                f.write(bytes(1024 * 1024))
                f.flush()
        except OSError as e:
            assert e.errno == errno.ENOSPC, e
    return filler


def as_user(hub, token):
    return requests.get(
        f"{hub.url}/hub/api/user", headers={"Authorization": f"token {token}"}, timeout=30
    )


def refused_start(hub):
    """Start ``hub`` and wait for it to give up: (exit code, what it printed)."""
    before = len(hub.log())
    hub.start(wait=False)
    code = hub.process.wait(60)
    return code, hub.log()[before:].strip()


def test_a_full_or_read_only_data_disk_is_named_and_never_logs_anyone_out(small_disk):
    hub = small_disk.start()
    data = hub.workdir / "data"
    # Tokens not used yet: their first use records its activity, a write.
    tokens = [hub.create_user(f"fay{i}") for i in range(2)]

    filler = fill(data)
    r = as_user(hub, tokens[0])
    print(f"full disk: {r.status_code} {r.json()['message']}")
    assert r.status_code == 503, r.text
    assert f"the disk of the hub's data directory {data} is full" in r.json()["message"]

    filler.unlink()
    freed = time.monotonic()
    wait_for(lambda: as_user(hub, tokens[0]).status_code == 200, 30, what="recovery")
    print(f"answers again {time.monotonic() - freed:.2f} s after space was freed")

    # Read-only: the same answer for its cause, and SIGTERM still stops the hub.
    # A read-only mount over the data dir (a remount of the disk itself is refused while
    # the hub has files open on it).
    subprocess.run(["mount", "--bind", data, data], check=True)
    subprocess.run(["mount", "-o", "remount,ro,bind", data], check=True)
    r = as_user(hub, tokens[1])
    assert r.status_code == 503, r.text
    assert "is read-only: make it writable" in r.json()["message"]
    asked = time.monotonic()
    hub.process.terminate()
    code = hub.process.wait(30)
    print(f"stopped {time.monotonic() - asked:.2f} s after SIGTERM with a read-only data dir")
    assert "Traceback" not in hub.log()[-3000:], hub.log()[-3000:]

    # A start is refused in one line naming the cause: read-only, then full.
    code, printed = refused_start(hub)
    print(f"read-only start: exit {code}: {printed.splitlines()[-1]}")
    assert code != 0
    assert printed.splitlines()[-1].startswith("Not started: The hub cannot use its data")
    assert "read-only" in printed.splitlines()[-1]
    assert "Traceback" not in printed

    subprocess.run(["umount", data], check=True)
    filler = fill(data)
    code, printed = refused_start(hub)
    print(f"full start: exit {code}: {printed.splitlines()[-1]}")
    assert code != 0
    assert f"the disk of the hub's data directory {data} is full" in printed.splitlines()[-1]
    assert "Traceback" not in printed

    filler.unlink()
    hub.start()
    assert as_user(hub, tokens[1]).status_code == 200


def test_a_database_locked_by_another_program_is_named_and_refuses_a_start(make_hub):
    hub = make_hub()
    token = hub.create_user("lou")
    db_file = hub.workdir / "data/jupyterhub.sqlite"

    holder = sqlite3.connect(db_file, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    r = as_user(hub, token)
    print(f"locked: {r.status_code} {r.json()['message']}")
    assert r.status_code == 503, r.text
    assert "another program holds the lock of the hub's database" in r.json()["message"]
    holder.execute("ROLLBACK")
    assert as_user(hub, token).status_code == 200

    hub.stop()
    holder.execute("BEGIN EXCLUSIVE")
    try:
        code, printed = refused_start(hub)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    print(f"locked start: exit {code}: {printed.splitlines()[-1]}")
    assert code != 0
    assert "another program holds the lock" in printed.splitlines()[-1]
    assert "Traceback" not in printed
