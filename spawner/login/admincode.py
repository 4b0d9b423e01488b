"""The one-time code that claims an admin account of the built-in login.

A name in ``KAGGLE_HUB_ADMINS`` is approved as it signs up; without a code, whoever signs
up first under that name, on a hub the team can already reach, would be its admin.
Claiming such a name needs the code kept in the data dir (owner-only): the hub prints the
sign-up link carrying it in its log at each start while a named admin has not signed up,
and ``kaggle-hub admin-code`` prints it on the owner's terminal. Each claim replaces it.
"""

import hmac
import secrets
from pathlib import Path

from ..files import write_private


def current(path):
    """The code in ``path``, made there first if there is none."""
    try:
        code = Path(path).read_text().strip()
    except FileNotFoundError:
        code = ""
    return code or renew(path)


def renew(path):
    """Replace the code in ``path`` with a new one; return it."""
    code = secrets.token_hex(8)
    write_private(path, code + "\n")
    return code


def matches(path, given):
    """True if ``given`` is the code in ``path`` (compared in constant time)."""
    return isinstance(given, str) and hmac.compare_digest(given.strip(), current(path))


def claim_url(public_url, code):
    """The sign-up link that claims an admin account with ``code``."""
    return f"{public_url.rstrip('/')}/hub/signup?admin_code={code}"
