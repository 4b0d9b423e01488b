"""Sizes in bytes, read from and written for people."""

import re

SIZE_PATTERN = re.compile(r"^([0-9]+(?:\.[0-9]+)?)\s*([kmgt]?)i?b?$", re.IGNORECASE)
FACTORS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_size(value):
    """Bytes in ``value`` (an int, or text like '512m', '16G', '2GiB'); ValueError if not a size."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    match = SIZE_PATTERN.match(str(value).strip())
    if not match:
        raise ValueError(value)
    number, unit = match.groups()
    return int(float(number) * FACTORS[unit.lower()])


def human_size(size):
    """``size`` in bytes as people read it; '?' when it is unknown (None or negative)."""
    if size is None or size < 0:
        return "?"
    unit = "B"
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024 or unit == "TB":
            break
        size /= 1024
    return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
