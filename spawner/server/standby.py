"""Standbys: a returning member's server, made ready before they ask.

When a member's server stops, a standby is made for its next start: a container created
with exactly the arguments that start would create its container with, except that

- its environment lacks the entries that carry the start's API token (a standby holds no
  token; ``docker inspect`` shows none);
- its command runs the in-server program (``in_server/singleuser.py``) as a standby: it
  imports what the server imports, then waits;
- it is named ``<container name>-standby`` (escaped names hold no ``-``, so no server's
  container has that name) and labelled with a digest of all its other arguments.

A start works out the standby arguments of the container it would create. Only a running
standby with that name, that digest and the image's current id is woken: renamed to the
server's container name and handed the token's entries through a pipe in its own
filesystem, written with ``docker exec`` (only the hub can). Any other standby of that
name is removed and the start is cold. One member's standby therefore serves exactly one
of their servers, with the volume, limits, profile and image it would have had.
"""

import hashlib
import json
from pathlib import Path

import docker

from . import quotas
from .container import IN_SERVER, LABEL_SERVER_NAME, STARTUP_NAME, launched
from .naming import LABEL_PREFIX

SUFFIX = "-standby"
LABEL = "org.kaggle-team-hub.standby"
WAIT = "standby"
WAKE_PIPE = "/tmp/kaggle-team-hub/wake"
WAKE_VARIABLE = "KAGGLE_HUB_WAKE"
# Waits (up to 30 s) for a standby still importing to open its pipe, then writes.
WAKE_SCRIPT = (
    f"i=0; until [ -p {WAKE_PIPE} ]; do i=$((i+1)); [ $i -gt 600 ] && exit 1; sleep 0.05; "
    f'done; printf "%s" "${WAKE_VARIABLE}" > {WAKE_PIPE}'
)
# A standby takes what its imports take: 83 MB in the lite image, more in Kaggle's. By
# default standbys may take a quarter of the memory available at the hub's start, at
# MEMORY_EACH each; below PRESSURE_SHARE of the machine's memory available none is made.
MEMORY_EACH = 256 * 1024**2
MEMORY_SHARE = 0.25
PRESSURE_SHARE = 0.10
MEMINFO = "/proc/meminfo"


def name(container_name):
    return container_name + SUFFIX


def waiting_command(command):
    """The standby's command for a server run with ``command`` (``container.command``):
    the same start-up script, then the in-server program as a standby (in front of an
    admin's own ``cmd``), which carries on as the server."""
    if STARTUP_NAME not in command:
        raise ValueError("the server's command was replaced (by a drop-in?); it starts cold")
    at = command.index(STARTUP_NAME) + 1
    rest = command[at:]
    if IN_SERVER in rest:
        mode = rest.index(IN_SERVER) + 1
        return [*command[:at], *rest[:mode], WAIT, *rest[mode + 1 :]]
    return [*command[:at], *launched(WAIT, rest)]


def _carries(value, token):
    return token in str(value)


def arguments(create_kwargs, token):
    """``(create arguments, digest)`` of the standby for a server whose container would be
    created with ``create_kwargs`` (whose environment carries the start's ``token``)."""
    env = {k: v for k, v in create_kwargs["environment"].items() if not _carries(v, token)}
    kwargs = {
        **create_kwargs,
        "environment": env,
        "command": waiting_command(create_kwargs["command"]),
        "name": name(create_kwargs["name"]),
    }
    digest = hashlib.sha256(json.dumps(kwargs, sort_keys=True, default=str).encode()).hexdigest()
    kwargs["labels"] = {**(create_kwargs.get("labels") or {}), LABEL: digest[:32]}
    return kwargs, digest[:32]


def wake_values(environment, token):
    """What a woken standby is handed: the environment's entries that carry ``token``."""
    return json.dumps({"env": {k: v for k, v in environment.items() if _carries(v, token)}})


def make(client, kwargs):
    """Create and start the standby (replacing any of its name); its id."""
    remove(client, kwargs["name"])
    created = client.create_container(**kwargs)
    client.start(created["Id"])
    return created["Id"]


def remove(client, container):
    """Remove a standby; True if there was one."""
    try:
        client.remove_container(container, force=True)
    except docker.errors.NotFound:
        return False
    return True


def claim(client, standby_name, digest, image_id):
    """``(id, None)`` of standby ``standby_name`` if it was made with ``digest`` from image
    ``image_id`` and runs; else ``(None, why not)``, having removed the standby found
    (``(None, None)``: there is none)."""
    try:
        info = client.inspect_container(standby_name)
    except docker.errors.NotFound:
        return None, None
    if (info["Config"].get("Labels") or {}).get(LABEL) != digest:
        why = "it was made for other options or settings"
    elif info["Image"] != image_id:
        why = "it was made from an older image"
    elif not info["State"].get("Running"):
        why = "its process had ended"
    else:
        return info["Id"], None
    remove(client, info["Id"])
    return None, why


def wake(client, standby_id, container_name, values):
    """Give the standby the server's container name and this start's ``values``
    (``wake_values``); True if the waiting process took them."""
    client.rename(standby_id, container_name)
    run = client.exec_create(
        standby_id, ["/bin/sh", "-c", WAKE_SCRIPT], environment={WAKE_VARIABLE: values}
    )
    client.exec_start(run["Id"])
    return client.exec_inspect(run["Id"])["ExitCode"] == 0


def _name(summary):
    return (summary.get("Names") or ["/"])[0].lstrip("/")


def is_standby(summary):
    """Whether a container (summary) is a standby: a woken one keeps the label, but has the
    server's container name."""
    return LABEL in (summary.get("Labels") or {}) and _name(summary).endswith(SUFFIX)


def listed(client, prefix):
    """Hub ``prefix``'s standbys (container summaries), oldest first."""
    found = client.containers(all=True, filters={"label": [LABEL, f"{LABEL_PREFIX}={prefix}"]})
    return sorted(filter(is_standby, found), key=lambda c: c.get("Created", 0))


def memory(meminfo=MEMINFO):
    """``(total, available)`` memory of this machine, in bytes."""
    values = {}
    for line in Path(meminfo).read_text().splitlines():
        key, _, rest = line.partition(":")
        values[key] = int(rest.split()[0]) * 1024
    return values["MemTotal"], values["MemAvailable"]


def default_most(available):
    """How many standbys there may be when the setting leaves it to the machine."""
    return int(available * MEMORY_SHARE // MEMORY_EACH)


def under_pressure(total, available):
    return available < total * PRESSURE_SHARE


def _remove_oldest(client, standbys, count):
    return [_name(c) for c in standbys[:count] if remove(client, c["Id"])]


def admit(client, prefix, most, machine_memory):
    """Make room for one more of hub ``prefix``'s standbys, at most ``most`` in all, by
    removing the oldest; under memory pressure remove the oldest and admit none.
    ``(admitted, names removed)``."""
    standbys = listed(client, prefix)
    pressure = under_pressure(*machine_memory)
    over = 1 if pressure else max(0, len(standbys) - most + 1)
    return most > 0 and not pressure, _remove_oldest(client, standbys, over)


def relieve(client, prefix, machine_memory):
    """Before a server starts cold: under memory pressure, remove hub ``prefix``'s oldest
    standby (the new server needs the memory more). The names removed."""
    if not under_pressure(*machine_memory):
        return []
    return _remove_oldest(client, listed(client, prefix), 1)


def owner(summary):
    """The full escaped name of the server a standby is for."""
    return (summary.get("Labels") or {}).get(LABEL_SERVER_NAME, "")


def tidy(client, prefix, servers, oldest):
    """At the hub's start: keep the standbys of ``servers`` (full escaped names) made since
    ``oldest`` (Unix time: a standby is made when its member's server stops), starting those
    a restart of the machine stopped; remove the others. ``(started, removed)`` names."""
    started, removed = [], []
    for summary in listed(client, prefix):
        standby_name = _name(summary)
        if owner(summary) not in servers or summary.get("Created", 0) < oldest:
            if remove(client, summary["Id"]):
                removed.append(standby_name)
        elif summary.get("State") != "running":
            # A working volume with a quota is a filesystem mounted before each use.
            for mount in client.inspect_container(summary["Id"])["Mounts"]:
                if mount.get("Type") == "volume":
                    quotas.ready(client.inspect_volume(mount["Name"]))
            client.start(summary["Id"])
            started.append(standby_name)
    return started, removed


def using(client, volume):
    """Remove the standbys that mount ``volume`` (before it is restored or grown); their
    names."""
    found = client.containers(all=True, filters={"label": LABEL, "volume": volume})
    return [_name(c) for c in found if is_standby(c) and remove(client, c["Id"])]
