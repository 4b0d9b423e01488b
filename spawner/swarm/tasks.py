"""What a server's swarm task says: where its start is, and why it cannot run, in words a
person can act on (plain values, no Docker I/O)."""

# Task states (Docker's TaskState), in the order a start goes through them.
WAITING = ("new", "pending", "assigned", "accepted", "ready", "preparing", "starting")
RUNNING = "running"
ENDED = ("complete", "shutdown", "failed", "rejected", "orphaned", "remove")
# What Swarm's scheduler says while no node fits a task.
NO_NODE = "no suitable node"
NO_IMAGE = "No such image"

PROGRESS = {
    "pending": "Waiting for Swarm to place the server on a node",
    "assigned": "Placed on node {node}",
    "accepted": "Node {node} accepted the server",
    "preparing": "Node {node} is preparing the server (pulling the image if it has none)",
    "starting": "Node {node} is starting the container",
}


def state(task):
    return ((task or {}).get("Status") or {}).get("State", "")


def error(task):
    return ((task or {}).get("Status") or {}).get("Err", "")


def latest(found):
    """The newest of ``found`` (tasks, or anything Docker stamps with CreatedAt), or None."""
    return max(found, key=lambda t: t.get("CreatedAt", ""), default=None)


def exit_code(task):
    """The exit code of the task's container, or None before it ended."""
    return (((task or {}).get("Status") or {}).get("ContainerStatus") or {}).get("ExitCode")


def node_id(task):
    return (task or {}).get("NodeID", "")


def address_on(task, network):
    """The task's own IP address on the network named ``network``, or ''."""
    for attached in (task or {}).get("NetworksAttachments") or []:
        if (attached.get("Network") or {}).get("Spec", {}).get("Name") == network:
            for address in attached.get("Addresses") or []:
                return address.split("/")[0]
    return ""


def abandoned(task):
    """True when Swarm has given up on a task it last saw running: its node stopped
    answering (Swarm wants it shut down, and cannot tell the node)."""
    return state(task) == RUNNING and (task or {}).get("DesiredState") == "shutdown"


def node_lost_reason(node_name):
    """Why a server whose node went away stopped, as the rest of "Your server ..."."""
    return (
        f"stopped: the machine it ran on ({node_name}) stopped answering the swarm. Your "
        "files are on that machine: start your server again once it is back (an admin "
        "sees it in 'docker node ls')"
    )


def progress(task, node_name):
    """The spawn page's line for ``task``'s state, or None for a state without one."""
    line = PROGRESS.get(state(task))
    return line.format(node=node_name or node_id(task)[:12]) if line else None


def unschedulable(task):
    """Swarm's reason when no node fits the task (it keeps trying), else ''."""
    reason = error(task)
    return reason if state(task) == "pending" and NO_NODE in reason else ""


def unschedulable_message(profile, pinned_node, reason, seconds):
    """Why a server found no node after ``seconds``: the profile, what it asks for, and
    what can be done about each ask (``pinned_node`` names the node of the server's files)."""
    asks = [*profile.constraints]
    if pinned_node:
        asks.append(f"the node {pinned_node} (it holds this server's files)")
    wants = f" with {' and '.join(asks)}" if asks else ""
    fixes = []
    if profile.constraints or not pinned_node:
        fixes.append(
            "Choose another profile, or ask an admin to add a node that fits it (node labels: "
            "'docker node update --label-add')."
        )
    if pinned_node:
        fixes.append(
            f"If {pinned_node} is down or drained, an admin can make it available again "
            "('docker node update --availability active'); a profile for other nodes needs "
            "the files on NFS (docs/howto/swarm.md)."
        )
    return (
        f"No node of the swarm can run the profile {profile.name!r}{wants}: Swarm says "
        f"{reason!r} after {seconds} s. {' '.join(fixes)}"
    )


def node_gone_message(node):
    """Why a server whose files are on machine ``node`` cannot start: it is not in the
    swarm."""
    return (
        f"This server's files are on the machine {node}, which is not in this swarm (it left, "
        "or the swarm was made anew after its manager was lost). An admin has it join the "
        "swarm again: on it, the command 'docker swarm join-token worker' prints on a "
        "manager; then start the server again."
    )


def ended_message(task, image, get_command):
    """Why a task that will not run ended, or None while it may still run."""
    if state(task) not in ENDED:
        return None
    reason = error(task) or (task.get("Status") or {}).get("Message", "")
    if NO_IMAGE in reason:
        return (
            f"The image {image!r} is not on the node Swarm chose ({reason}). An admin can "
            f"get it there with: {get_command} (on that node), or push it to a registry "
            "every node pulls from."
        )
    code = exit_code(task)
    return (
        f"The server stopped as it started ({state(task)}: {reason or 'no reason given'}"
        f"{f', exit code {code}' if code else ''})."
    )
