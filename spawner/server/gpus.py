"""The machine's GPUs, shared by allocation: a server holds distinct devices for as long as
its container exists (created or running), and is refused with who holds them when none is
free. The containers are the record (Docker keeps each one's device request), so a hub that
restarts knows who holds what without keeping it anywhere else, and a server that stops or
dies frees its devices when its container goes.

The pool is the devices ``nvidia-smi`` lists on the hub's machine, or those an admin names
(``KAGGLE_HUB_GPUS``). Docker gives a container the devices it is told through the NVIDIA
Container Toolkit's hook; asked for a count instead, it would give every container the
first ones, so the hub always names them.
"""

import asyncio
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime

import docker

from ..errors import SpawnError
from . import naming
from .container import LABEL_SERVER_NAME
from .naming import LABEL_PREFIX

# States in which a container holds its devices (an exited one is about to be removed).
HOLDING_STATES = frozenset({"created", "running", "restarting", "paused"})
SMI_COLUMNS = "index,name,utilization.gpu,memory.used,memory.total"
SMI_SECONDS = 10
# One allocation at a time in this hub: from choosing the devices until Docker has created
# the container that holds them, when the next allocation sees it.
ALLOCATING = asyncio.Lock()


@dataclass(frozen=True)
class Device:
    """One GPU as nvidia-smi reports it."""

    index: str
    model: str
    use: str  # e.g. "37 %, 1.2 of 16.0 GB"


@dataclass(frozen=True)
class Holding:
    """A device held by a user's server."""

    device: str
    user: str
    server: str  # "" for the default server
    since: str  # ISO time Docker gives: when the container started (or was created)

    def who(self):
        return f"{self.user}'s server {self.server!r}" if self.server else self.user

    def since_text(self):
        return _when(self.since)


def _when(iso):
    try:
        moment = datetime.fromisoformat(iso[:19])
    except ValueError:
        return "an unknown time"
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _gigabytes(mib):
    return f"{float(mib) / 1024:.1f}"


def parse_smi(text):
    """``Device`` rows from nvidia-smi's ``--format=csv,noheader,nounits`` output."""
    found = []
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.split(",")]
        if len(cells) != 5 or not cells[0].isdigit():
            continue
        index, model, busy, used, total = cells
        try:
            use = f"{int(busy)} %, {_gigabytes(used)} of {_gigabytes(total)} GB"
        except ValueError:
            use = "not reported"
        found.append(Device(index, model, use))
    return found


def smi_devices():
    """The GPUs nvidia-smi lists on this machine, or None where it does not answer."""
    program = shutil.which("nvidia-smi")
    if not program:
        return None
    try:
        done = subprocess.run(
            [program, f"--query-gpu={SMI_COLUMNS}", "--format=csv,noheader,nounits"],
            capture_output=True,
            text=True,
            timeout=SMI_SECONDS,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return parse_smi(done.stdout) if done.returncode == 0 else None


# The devices nvidia-smi listed, once it listed some: a machine's GPUs do not change while
# the hub runs, but a driver that was not answering yet may answer later.
_LISTED = {}


def pool(named, found=None):
    """The device ids servers are given: ``named`` (the admin's list) when set, else those
    nvidia-smi lists (``found``: its answer when the caller already has it); () when there
    are none."""
    if named is not None:
        return tuple(named)
    if "ids" not in _LISTED:
        listed = tuple(d.index for d in (smi_devices() if found is None else found) or ())
        if not listed:
            return ()
        _LISTED["ids"] = listed
    return _LISTED["ids"]


def held_by(host_config, devices):
    """The ids of ``devices`` a container's Docker ``HostConfig`` asks for."""
    found = []
    for request in host_config.get("DeviceRequests") or []:
        if ["gpu"] not in (request.get("Capabilities") or []):
            continue
        if request.get("DeviceIDs"):
            found.extend(request["DeviceIDs"])
        elif request.get("Count", 0) < 0:
            found.extend(devices)
        else:
            found.extend(devices[: request.get("Count", 0)])
    return found


def _owner(labels, prefix):
    parsed = naming.parse_volume_name(
        prefix, (labels.get(LABEL_SERVER_NAME) or "") + naming.VOLUME_SUFFIX
    )
    return parsed or ("an unknown user", "")


def holdings(client, prefix, devices):
    """Who holds which GPU: ``Holding`` rows from hub ``prefix``'s containers, in device order
    of ``devices`` (devices outside the pool last)."""
    found = []
    for summary in client.containers(all=True, filters={"label": f"{LABEL_PREFIX}={prefix}"}):
        if summary.get("State") not in HOLDING_STATES:
            continue
        try:
            info = client.inspect_container(summary["Id"])
        except docker.errors.NotFound:
            continue
        held = held_by(info["HostConfig"], devices)
        if not held:
            continue
        user, server = _owner(summary.get("Labels") or {}, prefix)
        started = info["State"].get("StartedAt") or ""
        since = info["Created"] if started.startswith("0001") or not started else started
        found.extend(Holding(device, user, server, since) for device in held)
    order = {device: i for i, device in enumerate(devices)}
    return sorted(found, key=lambda h: (order.get(h.device, len(order)), h.device))


def holder_map(client, prefix, devices):
    """``{device: Holding}`` for the held ones of ``devices``."""
    return {h.device: h for h in holdings(client, prefix, devices)}


def _listed(holdings):
    return ", ".join(f"GPU {h.device} by {h.who()} since {h.since_text()}" for h in holdings)


def choose(want, devices, held, user, per_user=0, profile="this profile"):
    """The device ids a server of ``user`` gets for a profile's ``gpus`` (``want``: a count,
    a tuple of ids, or "all"), given the pool ``devices`` and the ``held`` Holdings; None
    for "all" when the pool is unknown (Docker then gives every device). Raise SpawnError
    naming who holds what when they are not free, or when ``user`` would hold more than
    ``per_user`` (0: no limit)."""
    taken = {h.device: h for h in held}
    if want == "all":
        if not devices:
            return None
        wanted = list(devices)
    elif isinstance(want, int):
        if not devices:
            raise SpawnError(
                f"The profile {profile!r} asks for {want} GPU(s), but the hub finds no GPU on "
                "this machine (nvidia-smi lists none). An admin names them with "
                "KAGGLE_HUB_GPUS (e.g. 0,1), or chooses a profile without GPUs.",
                status_code=409,
            )
        if want > len(devices):
            raise SpawnError(
                f"The profile {profile!r} asks for {want} GPUs; this machine has "
                f"{len(devices)}. Ask an admin to change the profile.",
                status_code=409,
            )
        wanted = [d for d in devices if d not in taken][:want]
        if len(wanted) < want:
            raise SpawnError(
                f"No GPU is free for the profile {profile!r} (it asks for {want} of this "
                f"machine's {len(devices)}): {_listed(held)}. Start again when one is "
                "stopped, or choose a profile without GPUs.",
                status_code=409,
            )
    else:
        wanted = list(want)
    busy = [taken[d] for d in wanted if d in taken]
    if busy:
        raise SpawnError(
            f"The profile {profile!r} needs GPU {', '.join(wanted)}, which is held: "
            f"{_listed(busy)}. Start again when it is stopped, or choose another profile.",
            status_code=409,
        )
    mine = [h for h in held if h.user == user]
    if per_user and len(mine) + len(wanted) > per_user:
        holding = f"you hold {len(mine)} ({_listed(mine)})" if mine else "you hold none"
        raise SpawnError(
            f"The profile {profile!r} asks for {len(wanted)} GPU(s); a member may hold "
            f"{per_user} at once (KAGGLE_HUB_GPUS_PER_USER) and {holding}. Stop a server "
            "with GPUs first, or choose a profile without them.",
            status_code=409,
        )
    return wanted


def device_requests(ids):
    """docker-py ``device_requests`` for the device ``ids`` (None: every device)."""
    request = {"driver": "nvidia", "capabilities": [["gpu"]]}
    if ids is None:
        return [{**request, "count": -1}]
    return [{**request, "device_ids": list(ids)}]
