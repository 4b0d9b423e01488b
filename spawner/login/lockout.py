"""Wrong passwords lock out whoever types them, not the account's owner.

After ``limit`` wrong passwords for one name from one address, that address may not try
that name again for ``seconds``; the owner, from their own address, logs in as usual, so
typing someone's name with wrong passwords is no way to keep them off the hub. A locked
login is told so and until when, whatever password it sends; an admin sees every lock on
the Sign-ups page and lifts it there. Locks live in the hub's memory (a restart lifts
them), at most ``MAX_ENTRIES`` at once, the oldest dropped first.
"""

import time
from dataclasses import dataclass

MAX_ENTRIES = 10_000


@dataclass
class Entry:
    failures: int = 0
    locked_until: float = 0.0


@dataclass(frozen=True)
class Lock:
    name: str
    address: str
    until: float


class Lockouts:
    def __init__(self, limit, seconds, clock=time.time):
        self.limit = limit
        self.seconds = seconds
        self.clock = clock
        self._entries = {}

    def locked_until(self, name, address):
        """When ``address`` may try ``name`` again (a time.time()), or None if it may now."""
        entry = self._entries.get((name, address))
        if entry is None or not entry.locked_until:
            return None
        if entry.locked_until <= self.clock():
            del self._entries[(name, address)]
            return None
        return entry.locked_until

    def failed(self, name, address):
        """Count a wrong password; the time the lock ends if this one locks, else None."""
        if self.limit <= 0:
            return None
        entry = self._entries.pop((name, address), None) or Entry()
        self._entries[(name, address)] = entry
        while len(self._entries) > MAX_ENTRIES:
            del self._entries[next(iter(self._entries))]
        entry.failures += 1
        if entry.failures < self.limit:
            return None
        entry.failures = 0
        entry.locked_until = self.clock() + self.seconds
        return entry.locked_until

    def succeeded(self, name, address):
        self._entries.pop((name, address), None)

    def unlock(self, name):
        """Lift every lock on ``name``; how many there were."""
        keys = [key for key in self._entries if key[0] == name]
        for key in keys:
            del self._entries[key]
        return len(keys)

    def locks(self):
        """The locks in force, by name."""
        now = self.clock()
        found = [
            Lock(name, address, entry.locked_until)
            for (name, address), entry in self._entries.items()
            if entry.locked_until > now
        ]
        return sorted(found, key=lambda lock: (lock.name, lock.address))


def locked_message(name, until, now):
    """What a locked login is told."""
    minutes = max(1, round((until - now) / 60))
    at = time.strftime("%H:%M UTC", time.gmtime(until))
    return (
        f"Too many wrong passwords for {name} from this address: logging in as {name} from "
        f"here is locked until {at} (in {minutes} min). An admin can lift the lock on the "
        "hub's Sign-ups page."
    )
