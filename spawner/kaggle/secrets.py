"""Users' secrets, for ``kaggle_secrets.UserSecretsClient().get_secret(NAME)`` in their
servers: one owner-only file per user in the hub's data directory, every value encrypted
with a key derived from the hub's own (the key that encrypts OAuth tokens in its database).
Names and update times are kept in clear, values never.
"""

import base64
import hashlib
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from ..files import write_private
from ..server.naming import escape

NAME_PATTERN = re.compile(r"\A[A-Za-z_][A-Za-z0-9_.-]{0,63}\Z")
NAME_RULE = "up to 64 letters, digits, '_', '.' or '-', starting with a letter or '_'"
MAX_VALUE_BYTES = 64 * 1024
# Longer escaped user names end in a digest, so that every file name fits the filesystem's
# 255 bytes with ".json" (an escaped name never holds '-', so the two kinds never meet).
# Names that fitted before keep their file.
MAX_FILE_STEM = 255 - len(".json")
DIGEST_LENGTH = 32


class SecretError(ValueError):
    """A name or value that cannot be stored; the message says why and what to do."""


def check_name(name):
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        shown = name if not isinstance(name, str) or len(name) <= 40 else name[:40] + "..."
        raise SecretError(f"{shown!r} cannot be a secret's name: use {NAME_RULE}.")
    return name


def check_value(value):
    if not isinstance(value, str) or not value:
        raise SecretError("A secret's value must be text, and not empty.")
    if len(value.encode()) > MAX_VALUE_BYTES:
        raise SecretError(f"A secret's value may hold at most {MAX_VALUE_BYTES // 1024} KB.")
    return value


def fernet_key(hub_key):
    """The key that encrypts secrets, derived from the hub's ``hub_key`` (a hex string)."""
    digest = hashlib.sha256(b"kaggle-team-hub secrets\0" + hub_key.encode()).digest()
    return base64.urlsafe_b64encode(digest)


class SecretStore:
    def __init__(self, directory, hub_key):
        self.directory = Path(directory)
        self.fernet = Fernet(fernet_key(hub_key))

    def _path(self, user):
        stem = escape(user)
        if len(stem) > MAX_FILE_STEM:
            digest = hashlib.sha256(stem.encode()).hexdigest()[:DIGEST_LENGTH]
            stem = f"{stem[: MAX_FILE_STEM - DIGEST_LENGTH - 1]}-{digest}"
        return self.directory / f"{stem}.json"

    def _read(self, user):
        try:
            return json.loads(self._path(user).read_text())
        except FileNotFoundError:
            return {}

    def _write(self, user, entries):
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_private(self._path(user), json.dumps(entries))

    def listing(self, user):
        """``[{"name", "updated"}]`` of ``user``'s secrets, by name."""
        entries = self._read(user)
        return [{"name": name, "updated": entries[name]["updated"]} for name in sorted(entries)]

    def get(self, user, name):
        """The value of ``user``'s secret ``name``, or None."""
        entry = self._read(user).get(name)
        if entry is None:
            return None
        try:
            return self.fernet.decrypt(entry["value"].encode()).decode()
        except InvalidToken:
            raise SecretError(
                f"The secret {name!r} was stored under another key of the hub: save it again."
            ) from None

    def put(self, user, name, value):
        """Store ``user``'s secret ``name``; True if it is new, False if it was replaced."""
        check_name(name)
        check_value(value)
        entries = self._read(user)
        new = name not in entries
        entries[name] = {
            "value": self.fernet.encrypt(value.encode()).decode(),
            "updated": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self._write(user, entries)
        return new

    def delete(self, user, name):
        """Remove ``user``'s secret ``name``; True if there was one."""
        entries = self._read(user)
        if entries.pop(name, None) is None:
            return False
        self._write(user, entries)
        return True

    def forget_user(self, user):
        """Remove every secret of ``user`` (a deleted user)."""
        self._path(user).unlink(missing_ok=True)

    def keep_only(self, users):
        """Remove the secrets of everyone not in ``users``; return how many users' went."""
        keep = {self._path(user).name for user in users}
        gone = 0
        for path in self.directory.glob("*.json"):
            if path.name not in keep:
                path.unlink(missing_ok=True)
                gone += 1
        return gone

    def rename_user(self, old, new):
        """Give ``old``'s secrets to ``new`` (a renamed user); ``new`` keeps none of its own."""
        try:
            os.replace(self._path(old), self._path(new))
        except FileNotFoundError:
            self.forget_user(new)
