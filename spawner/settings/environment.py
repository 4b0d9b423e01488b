"""Reading typed values from environment variables and ``.env``, with errors that name them."""

import os
from pathlib import Path

from dotenv import dotenv_values

from ..sizes import parse_size
from .variables import default_of

# The checkout: jupyterhub_config.py, .env and deploy/ live here.
REPO_DIR = Path(__file__).resolve().parents[2]


class SettingsError(ValueError):
    """A setting has a value the hub cannot use."""


def raw(env, name):
    """The value of setting ``name``, stripped, else its declared default ('' for none)."""
    return (env.get(name) or "").strip() or default_of(name)


def port(env, name, default=None):
    """A port; unset, ``default`` when given (one derived from another setting), else the
    declared one."""
    value = (env.get(name) or "").strip()
    if not value:
        if default is not None:
            return default
        value = default_of(name)
    try:
        number = int(value)
    except ValueError:
        number = -1
    if not 1 <= number <= 65535:
        raise SettingsError(f"{name}={value!r} is not a port: use a number from 1 to 65535.")
    return number


def flag(env, name):
    value = raw(env, name).lower()
    if value in ("0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise SettingsError(f"{name}={value!r} is not a flag: use 1 or 0.")


def count(env, name):
    value = raw(env, name)
    if not value.isdigit():
        raise SettingsError(f"{name}={value!r} is not a count: use a whole number, 0 or more.")
    return int(value)


def names(env, name, separator=","):
    """The non-empty, stripped items of a separated list."""
    return frozenset(item.strip() for item in raw(env, name).split(separator) if item.strip())


def choice(env, name, choices):
    value = raw(env, name).lower()
    if value not in choices:
        raise SettingsError(f"{name}={value!r} is not one of: {', '.join(choices)}.")
    return value


def size(env, name):
    """A size in Docker's notation (e.g. ``2g``, ``512m``), checked and kept as written."""
    value = raw(env, name)
    try:
        parse_size(value)
    except ValueError:
        raise SettingsError(f"{name}={value!r} is not a size: use e.g. 2g or 512m.") from None
    return value


def env_file_path(environ, config_dir=REPO_DIR):
    """The ``.env`` file the settings are read from (it may not exist)."""
    return Path(environ.get("KAGGLE_HUB_ENV_FILE") or Path(config_dir) / ".env")


# Settings whose value is a secret: a .env file holding one is kept owner-only.
SECRET_SETTINGS = ("KAGGLE_HUB_OAUTH_CLIENT_SECRET",)


def check_owner_only(path, values):
    """Raise SettingsError if the .env file at ``path`` holds a secret setting and other
    users of this machine can read it (as ``ssh`` refuses a readable key)."""
    held = [key for key in SECRET_SETTINGS if values.get(key)]
    mode = path.stat().st_mode & 0o777
    if held and mode & 0o077:
        raise SettingsError(
            f"{path} holds {held[0]} and other users of this machine can read it (mode "
            f"{mode:o}): make it owner-only with 'chmod 600 {path}', or give the secret in a "
            "file of its own (KAGGLE_HUB_OAUTH_CLIENT_SECRET_FILE, e.g. a swarm secret)."
        )


def read_environment(environ=None, config_dir=REPO_DIR):
    """The environment merged over the ``.env`` file (the environment wins)."""
    environ = dict(os.environ if environ is None else environ)
    env_file = env_file_path(environ, config_dir)
    merged = {}
    if env_file.is_file():
        values = dotenv_values(env_file, interpolate=False)
        check_owner_only(env_file, values)
        merged.update({k: v for k, v in values.items() if v is not None})
    merged.update(environ)
    return merged
