"""Docker object names for a user's server.

Docker names allow ``[a-zA-Z0-9][a-zA-Z0-9_.-]*``. Usernames and server names can hold
any unicode character, so each is escaped before it becomes part of a name:

- ``a-z`` and ``0-9`` stay as they are;
- every other character becomes ``_`` followed by the lowercase hex of each of its UTF-8
  bytes (``A`` -> ``_41``, ``-`` -> ``_2d``, ``_`` -> ``_5f``, ``é`` -> ``_c3_a9``).

An escaped name therefore never holds ``-``, so ``--`` between the user and the server
part cannot be confused with either part, and the mapping is injective: two different
(user, server) pairs never share a container or a volume.

Names longer than ``MAX_NAME_LENGTH`` keep a readable head and end in a SHA-256 digest of
the full name; the length of such a name differs from every unshortened one.
"""

import hashlib
import string

DEFAULT_PREFIX = "kaggle"
SAFE_CHARS = frozenset(string.ascii_lowercase + string.digits)
ESCAPE_CHAR = "_"
MAX_NAME_LENGTH = 160
DIGEST_LENGTH = 32
VOLUME_SUFFIX = "-work"
QUARANTINE_INFIX = "-deleted-"
# The label that names the hub (by its prefix) a container or volume belongs to.
LABEL_PREFIX = "org.kaggle-team-hub.prefix"


def escape(text):
    """Escape ``text`` into the characters ``[a-z0-9_]``, injectively."""
    out = []
    for char in text:
        if char in SAFE_CHARS:
            out.append(char)
        else:
            out.extend(f"{ESCAPE_CHAR}{byte:02x}" for byte in char.encode("utf-8", "surrogatepass"))
    return "".join(out)


def _shorten(name):
    if len(name) <= MAX_NAME_LENGTH:
        return name
    digest = hashlib.sha256(name.encode("ascii")).hexdigest()[:DIGEST_LENGTH]
    head = name[: MAX_NAME_LENGTH - DIGEST_LENGTH]
    return f"{head}-{digest}"


def server_base_name(prefix, username, server_name=""):
    """The name shared by a server's container and volume, before any suffix."""
    base = f"{prefix}-{escape(username)}"
    if server_name:
        base = f"{base}--{escape(server_name)}"
    return base


def container_name(prefix, username, server_name=""):
    """Name of the container for ``username``'s server ``server_name`` ('' = default)."""
    return _shorten(server_base_name(prefix, username, server_name))


def volume_name(prefix, username, server_name=""):
    """Name of the persistent working volume for ``username``'s server ``server_name``."""
    return _shorten(server_base_name(prefix, username, server_name)) + VOLUME_SUFFIX


def check_prefix(prefix):
    """Raise ValueError unless ``prefix`` can start a Docker object name."""
    allowed = set(string.ascii_letters + string.digits + "_.-")
    if not prefix or not prefix[0].isalnum() or not prefix.isascii() or set(prefix) - allowed:
        raise ValueError(
            f"Name prefix {prefix!r} is not valid: use letters, digits, '_', '.' or '-', "
            "starting with a letter or digit, e.g. 'kaggle'."
        )
    return prefix


def unescape(text):
    """The name that ``escape`` turned into ``text``; ValueError if it is not such a text."""
    out = bytearray()
    i = 0
    while i < len(text):
        char = text[i]
        if char == ESCAPE_CHAR:
            pair = text[i + 1 : i + 3]
            if len(pair) != 2 or not all(c in "0123456789abcdef" for c in pair):
                raise ValueError(f"{text!r} is not an escaped name")
            out.append(int(pair, 16))
            i += 3
        elif char in SAFE_CHARS:
            out.extend(char.encode())
            i += 1
        else:
            raise ValueError(f"{text!r} is not an escaped name")
    return out.decode("utf-8", "surrogatepass")


def quarantine_name(volume, stamp):
    """The name a deleted server's volume is kept under."""
    return f"{volume}{QUARANTINE_INFIX}{stamp}"


def parse_volume_name(prefix, name):
    """``(user, server)`` of a volume named by ``volume_name`` (also after quarantine),
    or None for any other name, including shortened ones.

    Escaped names hold no ``-``, so after the prefix every ``-`` is one of ours.
    """
    head = f"{prefix}-"
    if not name.startswith(head):
        return None
    rest = name[len(head) :].split(QUARANTINE_INFIX, 1)[0]
    if not rest.endswith(VOLUME_SUFFIX):
        return None
    user, _, server = rest[: -len(VOLUME_SUFFIX)].partition("--")
    try:
        return unescape(user), unescape(server)
    except ValueError:
        return None
