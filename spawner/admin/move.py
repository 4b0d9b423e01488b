"""``kaggle-hub move USER NODE``: on a swarm, move a user's server and its files to another
node; the server must be stopped. Its next start runs on the new node."""

import json
import sqlite3

from ..errors import SetupError
from ..server import naming, volumes
from ..swarm import moves, nodes
from .hubstate import DATABASE


def _recorded_node(data_dir, user, server):
    """``(node id, node name)`` the hub's database holds for ``user``'s server, or None."""
    database = data_dir / DATABASE
    if not database.is_file():
        raise SetupError(f"There is no hub database at {database}: is KAGGLE_HUB_DATA_DIR set?")
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        row = db.execute(
            "SELECT spawners.state FROM spawners JOIN users ON users.id = spawners.user_id "
            "WHERE users.name = ? AND spawners.name = ?",
            (user, server),
        ).fetchone()
    db.close()
    state = json.loads(row[0] or "{}") if row else {}
    if not state.get("node_id"):
        return None
    return state["node_id"], state.get("node_name", "")


def _node(listed, wanted):
    """The node named (or whose id starts with) ``wanted`` among ``listed``."""
    found = [n for n in listed if wanted in (n["Description"]["Hostname"], n["ID"][: len(wanted)])]
    if len(found) != 1:
        names = ", ".join(sorted(n["Description"]["Hostname"] for n in listed))
        raise SetupError(f"No node of this swarm is named {wanted!r}: its nodes are {names}.")
    node = found[0]
    if node["Status"]["State"] != "ready" or node["Spec"]["Availability"] != "active":
        raise SetupError(
            f"The node {wanted} is {node['Status']['State']} and "
            f"{node['Spec']['Availability']}: make it available first "
            "('docker node update --availability active')."
        )
    return node["ID"], node["Description"]["Hostname"]


def _running(client, name):
    return any(x["Spec"]["Name"] == name for x in client.services(filters={"name": name}))


def move(client, s, user, server, wanted, out):
    """Copy ``user``'s server's volume to node ``wanted`` and leave the hub the record."""
    if not client.info()["Swarm"].get("ControlAvailable"):
        raise SetupError(
            "'kaggle-hub move' moves servers between nodes of a swarm: run it on a manager."
        )
    name = naming.container_name(s.prefix, user, server)
    if _running(client, name):
        raise SetupError(f"The server {name} is running: stop it first (the hub's admin page).")
    volume = naming.volume_name(s.prefix, user, server)
    listed = client.nodes()
    target, target_name = _node(listed, wanted)
    recorded = moves.pending(client, volume) or _recorded_node(s.data_dir, user, server)
    if recorded is None:
        raise SetupError(
            f"The hub has no node recorded for {name}: its server never ran on the swarm, so "
            "it starts wherever its profile allows."
        )
    source = nodes.current_id(recorded[0], recorded[1], listed)
    if source is None:
        raise SetupError(
            f"The files of {name} are on {recorded[1] or recorded[0][:12]}, which is not in "
            "this swarm: have it join again first."
        )
    if source == target:
        out.write(f"{name} is on {target_name} already.\n")
        return 0
    source_name = next(n["Description"]["Hostname"] for n in listed if n["ID"] == source)
    out.write(f"Copying {volume} from {source_name} to {target_name}...\n")
    failed = moves.copy(
        client,
        s.prefix,
        s.image,
        s.network,
        volume,
        volumes.labels(s.prefix, user, server),
        source,
        target,
        s.swarm.schedule_seconds,
    )
    if failed:
        raise SetupError(f"The copy failed ({failed}); {name} stays on {source_name}.")
    if _running(client, name):
        raise SetupError(
            f"The server {name} was started while its files were copied: it stays on "
            f"{source_name}. Stop it and move it again ({target_name} has the copy: remove "
            f"it there first, 'docker volume rm {volume}')."
        )
    moves.record(client, s.prefix, volume, target, target_name)
    out.write(
        f"Moved {name} to {target_name}: its next start runs there. The files stay on "
        f"{source_name} too, in {volume}, until you remove them there "
        f"('docker volume rm {volume}' on {source_name}).\n"
    )
    return 0
