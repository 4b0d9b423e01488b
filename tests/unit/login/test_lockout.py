"""Wrong passwords lock one name for one address, for a while; an admin lifts a lock."""

from spawner.login import lockout
from spawner.login.lockout import Lockouts


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def test_the_guessers_address_is_locked_and_the_owners_is_not():
    clock = Clock()
    locks = Lockouts(3, 600, clock)
    assert [locks.failed("ann", "10.0.0.9") for _ in range(2)] == [None, None]
    assert locks.failed("ann", "10.0.0.9") == clock.now + 600
    assert locks.locked_until("ann", "10.0.0.9") == clock.now + 600
    assert locks.locked_until("ann", "10.0.0.5") is None
    assert locks.locked_until("bob", "10.0.0.9") is None
    assert [(k.name, k.address) for k in locks.locks()] == [("ann", "10.0.0.9")]
    clock.now += 601
    assert locks.locked_until("ann", "10.0.0.9") is None
    assert locks.locks() == []
    assert locks.failed("ann", "10.0.0.9") is None  # counting starts again


def test_a_success_forgets_the_failures_and_an_admin_lifts_every_lock_on_a_name():
    locks = Lockouts(2, 600, Clock())
    locks.failed("ann", "a")
    locks.succeeded("ann", "a")
    assert locks.failed("ann", "a") is None
    for address in ("a", "b"):
        locks.failed("ann", address)
        locks.failed("ann", address)
    locks.failed("bob", "a")
    locks.failed("bob", "a")
    assert locks.unlock("ann") == 2
    assert [lock.name for lock in locks.locks()] == ["bob"]


def test_no_limit_locks_nothing_and_memory_stays_bounded(monkeypatch):
    assert Lockouts(0, 600).failed("ann", "a") is None
    monkeypatch.setattr(lockout, "MAX_ENTRIES", 3)
    locks = Lockouts(1, 600, Clock())
    for n in range(5):
        locks.failed(f"user{n}", "a")
    assert [lock.name for lock in locks.locks()] == ["user2", "user3", "user4"]


def test_the_message_says_until_when_and_who_lifts_it():
    message = lockout.locked_message("ann", 1_000_600.0, 1_000_000.0)
    assert message == (
        "Too many wrong passwords for ann from this address: logging in as ann from here is "
        "locked until 13:56 UTC (in 10 min). An admin can lift the lock on the hub's Sign-ups "
        "page."
    )
