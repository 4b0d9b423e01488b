"""Work on a volume that lives on another node of the swarm: the hub's engine is the
manager's, so the work runs there as a one-off service pinned to the volume's node."""

import secrets
import time

from docker.types import (
    ContainerSpec,
    EndpointSpec,
    Mount,
    Placement,
    RestartPolicy,
    TaskTemplate,
)

from ..server.naming import LABEL_PREFIX
from . import specs, tasks

# How long a job may take before the hub stops waiting for it (and removes it).
JOB_SECONDS = 3600
# How often a job's task is looked at.
POLL_SECONDS = 0.2

# Copy a volume's files into a new one, then empty it (Swarm cannot remove a volume on
# another node): what stays under the old name holds nothing.
QUARANTINE = "cp -a /from/. /to/ && find /from -mindepth 1 -delete"
EMPTY = "find /from -mindepth 1 -delete"


def quarantine_mounts(volume, target, target_labels):
    return [
        Mount("/from", volume, type="volume"),
        Mount("/to", target, type="volume", labels=target_labels),
    ]


def empty_mounts(volume):
    return [Mount("/from", volume, type="volume")]


def start(client, prefix, node_id, image, command, mounts, env=None, network=None):
    """Create a one-off service running ``command`` once in ``image`` on node ``node_id``
    with ``mounts`` (and ``env``, on ``network``); return its id and name."""
    name = f"{prefix}-job-{secrets.token_hex(4)}"
    template = TaskTemplate(
        ContainerSpec(image, command=command, mounts=mounts, env=env),
        restart_policy=RestartPolicy(condition="none"),
        placement=Placement(constraints=[specs.node_constraint(node_id)]),
        networks=[network] if network else None,
    )
    # Its name resolves to its task itself, as a server's does (no virtual IP in between).
    service = client.create_service(
        template,
        name=name,
        labels={LABEL_PREFIX: prefix},
        endpoint_spec=EndpointSpec(mode="dnsrr"),
    )
    return service["ID"], name


def _task(client, service_id):
    return tasks.latest(client.tasks(filters={"service": service_id}))


def exit_code(client, service_id):
    """The exit code of job ``service_id``'s container, or None before it ended."""
    return tasks.exit_code(_task(client, service_id))


def outcome(client, service_id, began, schedule_seconds):
    """None while job ``service_id`` (started at ``began``) runs or waits for its node; ''
    once it succeeded; else what went wrong (also when its node cannot take it for
    ``schedule_seconds``: it is down or drained)."""
    task = _task(client, service_id)
    state = tasks.state(task)
    if state == "complete":
        return ""
    waiting = tasks.unschedulable(task)
    if waiting and time.monotonic() - began > schedule_seconds:
        return f"the node cannot take it: Swarm says {waiting!r}"
    if state in tasks.ENDED:
        reason = tasks.error(task) or (task.get("Status") or {}).get("Message", "")
        return f"{state}: {reason}, exit code {tasks.exit_code(task)}"
    return None


def wait(client, service_id, schedule_seconds, timeout=JOB_SECONDS):
    """'' once job ``service_id`` succeeded, else what went wrong (``outcome``), or that it
    was not done after ``timeout`` seconds."""
    began = time.monotonic()
    while time.monotonic() < began + timeout:
        result = outcome(client, service_id, began, schedule_seconds)
        if result is not None:
            return result
        time.sleep(POLL_SECONDS)
    return f"not done after {timeout} s"


def run(client, prefix, node_id, image, script, mounts, schedule_seconds, timeout=JOB_SECONDS):
    """Run ``script`` (sh) in ``image`` once on node ``node_id`` with ``mounts``; return
    '' when it succeeded, else what went wrong (``wait``). The job's service is removed
    either way."""
    service_id, _ = start(client, prefix, node_id, image, ["sh", "-c", script], mounts)
    try:
        return wait(client, service_id, schedule_seconds, timeout)
    finally:
        client.remove_service(service_id)
