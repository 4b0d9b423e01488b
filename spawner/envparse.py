"""Reading typed values from a mapping of environment variables, with errors that name them."""


class SettingsError(ValueError):
    """A setting has a value the hub cannot use."""


def port(env, name, default):
    raw = env.get(name, "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if not 1 <= value <= 65535:
        raise SettingsError(f"{name}={raw!r} is not a port: use a number from 1 to 65535.")
    return value


def flag(env, name, default=False):
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw in ("0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name}={raw!r} is not a flag: use 1 or 0.")


def count(env, name, default):
    raw = env.get(name, "")
    if not raw:
        return default
    if not raw.isdigit():
        raise SettingsError(f"{name}={raw!r} is not a count: use a whole number, 0 or more.")
    return int(raw)


def names(env, name, separator=","):
    """The non-empty, stripped items of a separated list."""
    return frozenset(item.strip() for item in env.get(name, "").split(separator) if item.strip())


def choice(env, name, choices, default):
    raw = env.get(name, "").strip().lower() or default
    if raw not in choices:
        raise SettingsError(f"{name}={raw!r} is not one of: {', '.join(choices)}.")
    return raw
