"""User names: which a hub accepts, and why one is refused, in words a person can act on."""

# The built-in login's own column holds 128 characters.
MAX_USERNAME = 128
RULE = (
    f"use up to {MAX_USERNAME} letters, digits, '-', '_' or '.', without spaces, commas or slashes"
)


def why_invalid(authenticator, name):
    """Why ``name`` cannot be a user name of this hub, or None if it can."""
    if not isinstance(name, str):
        return f"{name!r} is not a name: user names are text"
    normalized = authenticator.normalize_username(name)
    if not acceptable(normalized) or not authenticator.validate_username(normalized):
        shown = name if len(name) <= 40 else name[:40] + "..."
        return f"{shown!r} cannot be a user name here: {RULE}"
    return None


def acceptable(name):
    """The hub's own rule, whatever the login: no control characters (a NUL or a newline
    reaches logs, labels and file names) and at most ``MAX_USERNAME`` characters."""
    return len(name) <= MAX_USERNAME and not any(ord(ch) < 32 or ord(ch) == 127 for ch in name)
