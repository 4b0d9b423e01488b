"""Server profiles: what an admin offers (image, CPUs, memory, shared memory, GPUs) and the
choice a user makes, checked before anything is created.

A profile is a dict in ``c.KaggleSpawner.profiles`` (or the JSON file named by
``KAGGLE_HUB_PROFILES_FILE``)::

    {"name": "gpu", "description": "2 GPUs, 64 GB", "image": "kaggle-team-hub:kaggle-gpu-jh5.5.4",
     "cpu_limit": 8, "mem_limit": "64G", "shm_size": "16g", "gpus": ["0", "1"],
     "default": true}

Only ``name`` is required; a missing image, limit or shared memory size takes the
spawner's own setting. ``groups`` (e.g. ``["gpu"]``) keeps a profile for members of those
hub groups: an admin sets them on the admin page ("Manage Groups"), or the login provider
sends them where the authenticator manages groups. Others neither see nor start it.
``gpus`` is ``"none"`` (default), a number of GPUs (``1``: any free one, allocated by the
hub, see ``gpus.py``), a list of device ids (those, when free) or ``"all"``. On a swarm,
``constraints`` (Docker's placement constraints, e.g. ``["node.labels.gpu==true"]``) pick
the nodes a profile's servers may run on, and ``gpus`` counts the GPUs a server reserves
there; on one machine ``constraints`` are not used.
"""

import html
import re
from dataclasses import dataclass

from ..sizes import human_size, parse_size

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")
KEYS = {
    "name",
    "description",
    "image",
    "cpu_limit",
    "mem_limit",
    "shm_size",
    "gpus",
    "constraints",
    "default",
    "groups",
}
# A swarm placement constraint: a node attribute, == or !=, a value.
CONSTRAINT_PATTERN = re.compile(r"^\s*(node|engine)\.[A-Za-z0-9_.-]+\s*(==|!=)\s*\S.*$")
OPTION_KEYS = ("profile", "image")
MAX_OPTION_LENGTH = 256


class OptionsError(ValueError):
    """A user's server options cannot be used; the message names the problem and the choices.
    ``status_code``: 400 for options that are wrong, 403 for a profile not open to the user."""

    def __init__(self, message, status_code=400):
        super().__init__(message)
        self.status_code = status_code


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    image: str
    cpu_limit: float | None
    mem_limit: int | None  # bytes
    shm_size: int  # bytes
    gpus: object  # "none", "all", a count or a tuple of device ids
    default: bool = False
    constraints: tuple = ()  # swarm placement constraints
    groups: tuple = ()  # hub groups whose members may use it; () = everyone


def _check_size(where, key, value):
    if value is None:
        return None
    try:
        return parse_size(value)
    except ValueError:
        raise ValueError(
            f"{where}: {key}={value!r} is not a size: use e.g. '16G' or '512m'."
        ) from None


def _check_gpus(where, value):
    if value in (None, "none", "all"):
        return value or "none"
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, list | tuple) and value and all(isinstance(v, str | int) for v in value):
        return tuple(str(v) for v in value)
    raise ValueError(
        f"{where}: gpus={value!r}: use 'none', a number of GPUs (e.g. 1), a list of device "
        "ids or 'all'."
    )


def _check_constraints(where, value):
    if value is None:
        return ()
    if isinstance(value, list | tuple) and all(
        isinstance(v, str) and CONSTRAINT_PATTERN.match(v) for v in value
    ):
        return tuple(v.strip() for v in value)
    raise ValueError(
        f"{where}: constraints={value!r}: use a list of swarm placement constraints such as "
        "'node.labels.gpu==true' or 'node.role!=manager'."
    )


def _check_groups(where, value):
    if value is None:
        return ()
    if isinstance(value, list | tuple) and value and all(isinstance(v, str) and v for v in value):
        return tuple(value)
    raise ValueError(
        f"{where}: groups={value!r}: use a list of hub group names, e.g. ['gpu'] (leave it "
        "out for a profile everyone may use)."
    )


def parse(raw, image, shm_size, mem_limit=None, cpu_limit=None):
    """Check ``raw`` profile dicts and fill in the spawner's defaults.

    An empty list gives one profile, ``default``, from the spawner's own settings. Raise
    ValueError naming the profile and the setting that is wrong.
    """
    if not raw:
        raw = [{"name": "default", "description": "Kaggle's Python image", "default": True}]
    profiles = []
    for index, item in enumerate(raw):
        where = f"profile {index + 1}"
        if not isinstance(item, dict):
            raise ValueError(f"{where} is {item!r}, not a dict of settings.")
        unknown = set(item) - KEYS
        if unknown:
            raise ValueError(
                f"{where}: unknown settings {sorted(unknown)}: use {', '.join(sorted(KEYS))}."
            )
        name = item.get("name")
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise ValueError(
                f"{where}: name={name!r}: use lowercase letters, digits, '.', '_' or '-'."
            )
        where = f"profile {name!r}"
        cpu = item.get("cpu_limit", cpu_limit)
        if cpu is not None and (isinstance(cpu, bool) or not isinstance(cpu, int | float)):
            raise ValueError(f"{where}: cpu_limit={cpu!r} is not a number of CPUs.")
        if cpu is not None and cpu <= 0:
            raise ValueError(f"{where}: cpu_limit={cpu!r} must be more than 0.")
        profiles.append(
            Profile(
                name=name,
                description=str(item.get("description", "")),
                image=str(item.get("image") or image),
                cpu_limit=None if cpu is None else float(cpu),
                mem_limit=_check_size(where, "mem_limit", item.get("mem_limit", mem_limit)),
                shm_size=_check_size(where, "shm_size", item.get("shm_size", shm_size)),
                gpus=_check_gpus(where, item.get("gpus")),
                default=bool(item.get("default", False)),
                constraints=_check_constraints(where, item.get("constraints")),
                groups=_check_groups(where, item.get("groups")),
            )
        )
    names = [p.name for p in profiles]
    if len(set(names)) != len(names):
        raise ValueError(f"Profile names must differ: {names}.")
    if sum(p.default for p in profiles) > 1:
        raise ValueError("Only one profile may be the default.")
    return tuple(profiles)


def default_profile(profiles):
    return next((p for p in profiles if p.default), profiles[0])


def allowed_images(profiles, extra=()):
    """The images a user may ask for: every profile's, and any listed in ``extra``."""
    return sorted({p.image for p in profiles} | set(extra))


def offered(profiles, groups):
    """The profiles a member of hub ``groups`` (names) may use, in their order."""
    mine = set(groups)
    return tuple(p for p in profiles if not p.groups or mine & set(p.groups))


def _not_open_message(profile):
    return (
        f"The profile {profile.name!r} is for members of the group "
        f"{' or '.join(repr(g) for g in profile.groups)}, and you are not one: an admin adds "
        "you on the admin page (Manage Groups), or choose another profile."
    )


def select(profiles, user_options, extra_images=(), groups=()):
    """The profile and image that ``user_options`` ask for, for a member of hub ``groups``;
    OptionsError if they cannot be."""
    if not isinstance(user_options, dict):
        raise OptionsError(f"Server options must be an object, not {type(user_options).__name__}.")
    unknown = set(user_options) - set(OPTION_KEYS)
    if unknown:
        raise OptionsError(
            f"Unknown server options {sorted(unknown)}: the options are {', '.join(OPTION_KEYS)}."
        )
    for key, value in user_options.items():
        if not isinstance(value, str) or len(value) > MAX_OPTION_LENGTH:
            shown = repr(value)[:60]
            raise OptionsError(
                f"Server option {key!r} must be a name of at most {MAX_OPTION_LENGTH} "
                f"characters, not {shown}."
            )
    by_name = {p.name: p for p in profiles}
    open_to = offered(profiles, groups)
    name = user_options.get("profile")
    if name in by_name and by_name[name] not in open_to:
        raise OptionsError(_not_open_message(by_name[name]), status_code=403)
    if name is None and not open_to:
        raise OptionsError(
            "No server profile is open to you: each is kept for members of some group. An "
            "admin adds you to one on the admin page (Manage Groups).",
            status_code=403,
        )
    if name is None:
        profile = default_profile(open_to)
    elif name in by_name:
        profile = by_name[name]
    else:
        choices = ", ".join(p.name for p in open_to)
        raise OptionsError(f"Unknown profile {name!r}: choose one of {choices}.")
    image = user_options.get("image") or profile.image
    if extra_images == "*":
        return profile, image
    allowed = allowed_images(open_to, extra_images)
    if image not in allowed:
        raise OptionsError(
            f"Image {image!r} is not allowed here: choose one of {', '.join(allowed)}."
        )
    return profile, image


def gpu_unavailable_message(profile, reason):
    return (
        f"The profile {profile.name!r} asks for GPUs, but Docker on this machine cannot give "
        f"them ({reason}). Choose a profile without GPUs, or ask an admin to install the "
        "NVIDIA driver and the NVIDIA Container Toolkit."
    )


def gpus_text(gpus):
    """A profile's ``gpus`` in words, '' for none."""
    if gpus == "none":
        return ""
    if gpus == "all":
        return "every GPU"
    if isinstance(gpus, int):
        return f"{gpus} GPU" + ("s" if gpus > 1 else "")
    return f"GPU {','.join(gpus)}"


def options_from_form(formdata):
    """``user_options`` from the spawn form's fields (lists of strings)."""
    chosen = formdata.get("profile") or []
    return {"profile": chosen[0]} if chosen else {}


def render_form(profiles):
    """The spawn page's choice of profile, or '' when there is nothing to choose."""
    if len(profiles) < 2:
        return ""
    default = default_profile(profiles)
    rows = []
    for p in profiles:
        limits = ", ".join(
            part
            for part in (
                f"{p.cpu_limit:g} CPUs" if p.cpu_limit else "",
                f"{human_size(p.mem_limit)} memory" if p.mem_limit else "",
                gpus_text(p.gpus),
            )
            if part
        )
        checked = " checked" if p is default else ""
        rows.append(
            '<div class="form-check">'
            f'<input class="form-check-input" type="radio" name="profile" '
            f'id="profile-{html.escape(p.name)}" value="{html.escape(p.name)}"{checked}>'
            f'<label class="form-check-label" for="profile-{html.escape(p.name)}">'
            f"<strong>{html.escape(p.name)}</strong> {html.escape(p.description)}"
            f"{' (' + html.escape(limits) + ')' if limits else ''}</label></div>"
        )
    return "<fieldset><legend>Server profile</legend>" + "".join(rows) + "</fieldset>"
