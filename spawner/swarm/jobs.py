"""Work on a volume that lives on another node of the swarm: the hub's engine is the
manager's, so the work runs there as a one-off service pinned to the volume's node."""

import secrets
import time

from docker.types import ContainerSpec, Mount, Placement, RestartPolicy, TaskTemplate

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


def run(client, prefix, node_id, image, script, mounts, schedule_seconds, timeout=JOB_SECONDS):
    """Run ``script`` (sh) in ``image`` once on node ``node_id`` with ``mounts``; return
    '' when it succeeded, else what went wrong (also when the node cannot take it for
    ``schedule_seconds``: it is down or drained). The job's service is removed either way."""
    template = TaskTemplate(
        ContainerSpec(image, command=["sh", "-c", script], mounts=mounts),
        restart_policy=RestartPolicy(condition="none"),
        placement=Placement(constraints=[specs.node_constraint(node_id)]),
    )
    service = client.create_service(
        template, name=f"{prefix}-job-{secrets.token_hex(4)}", labels={LABEL_PREFIX: prefix}
    )
    try:
        began = time.monotonic()
        while time.monotonic() < began + timeout:
            found = client.tasks(filters={"service": service["ID"]})
            task = max(found, key=lambda t: t.get("CreatedAt", ""), default=None)
            state = tasks.state(task)
            if state == "complete":
                return ""
            waiting = tasks.unschedulable(task)
            if waiting and time.monotonic() - began > schedule_seconds:
                return f"the node cannot take it: Swarm says {waiting!r}"
            if state in tasks.ENDED:
                status = task.get("Status") or {}
                code = (status.get("ContainerStatus") or {}).get("ExitCode")
                reason = tasks.error(task) or status.get("Message", "")
                return f"{state}: {reason}, exit code {code}"
            time.sleep(POLL_SECONDS)
        return f"not done after {timeout} s"
    finally:
        client.remove_service(service["ID"])
