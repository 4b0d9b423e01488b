"""Moving a server's working volume to another node of the swarm (``kaggle-hub move``).

The files stream from a job on the old node to a job on the new one over the hub's overlay
network (as a backup and a restore do, without a file in between), and the swarm keeps a
record of the move (a config) that the hub takes at the server's next start. The old
node's copy is left as it was.
"""

import secrets
import time

from docker.types import Mount

from ..server.naming import LABEL_PREFIX
from . import jobs, tasks

PORT = 7008
# Exit codes of the new node's job.
HOLDS_FILES, NO_ANSWER = 3, 4
# How long the new node's job tries to reach the old node's (which may wait for its image).
ANSWER_SECONDS = 120
# The old node's side: send the volume, as a gzipped tar, to the one connection that
# first gives the move's token.
SEND = f"""
import os, socket, tarfile
token = os.environ["KTH_TOKEN"].encode()
with socket.create_server(("", {PORT})) as server:
    while True:
        conn, _ = server.accept()
        with conn:
            conn.settimeout(30)
            try:
                given = conn.makefile("rb").read(len(token))
            except OSError:
                continue
            if given != token:
                continue
            conn.settimeout(None)
            with conn.makefile("wb") as out, tarfile.open(fileobj=out, mode="w|gz") as tar:
                tar.add("/from", arcname=".")
            break
"""
# The new node's side: refuse a volume that holds files, then unpack what is sent.
RECEIVE = f"""
import os, shutil, socket, sys, tarfile, time
if os.listdir("/to"):
    sys.exit({HOLDS_FILES})
token = os.environ["KTH_TOKEN"].encode()
deadline = time.monotonic() + {ANSWER_SECONDS}
while True:
    try:
        conn = socket.create_connection((os.environ["KTH_SENDER"], {PORT}), timeout=5)
        break
    except OSError:
        if time.monotonic() > deadline:
            sys.exit({NO_ANSWER})
        time.sleep(0.5)
conn.settimeout(None)
conn.sendall(token)
trusted = {{"filter": "fully_trusted"}} if hasattr(tarfile, "data_filter") else {{}}
try:
    with conn, conn.makefile("rb") as given, tarfile.open(fileobj=given, mode="r|gz") as tar:
        tar.extractall("/to", numeric_owner=True, **trusted)
except BaseException:
    # Half a copy is no copy: leave the volume empty, as it was.
    for entry in os.scandir("/to"):
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path)
        else:
            os.unlink(entry.path)
    raise
"""
# How long the old node's job may take to send once the new node's has all the files.
SENT_SECONDS = 60
LABEL_MOVED = "org.kaggle-team-hub.moved-volume"
LABEL_NODE_ID = "org.kaggle-team-hub.node-id"
LABEL_NODE_NAME = "org.kaggle-team-hub.node-name"


def copy(client, prefix, image, network, volume, labels, source, target, schedule_seconds):
    """Copy ``volume`` from node ``source`` into the same name on node ``target`` (created
    with ``labels``); '' when done, else what went wrong. Both jobs are removed."""
    env = {"KTH_TOKEN": secrets.token_hex(16)}
    sender, sender_name = jobs.start(
        client, prefix, source, image, ["python3", "-c", SEND],
        [Mount("/from", volume, type="volume", read_only=True)], env, network,
    )  # fmt: skip
    receiver = None
    try:
        receiver, _ = jobs.start(
            client, prefix, target, image, ["python3", "-c", RECEIVE],
            [Mount("/to", volume, type="volume", labels=labels)],
            {**env, "KTH_SENDER": sender_name}, network,
        )  # fmt: skip
        began = time.monotonic()
        while True:
            received = jobs.outcome(client, receiver, began, schedule_seconds)
            if received:
                return _refusal(client, receiver, volume) or f"on the new node: {received}"
            if received == "":
                break
            sending = jobs.outcome(client, sender, began, schedule_seconds)
            if sending:
                return f"on the old node: {sending}"
            time.sleep(jobs.POLL_SECONDS)
        sent = jobs.wait(client, sender, schedule_seconds, SENT_SECONDS)
        return f"on the old node: {sent}" if sent else ""
    finally:
        for service in (sender, receiver):
            if service:
                client.remove_service(service)


def _refusal(client, receiver, volume):
    code = jobs.exit_code(client, receiver)
    if code == HOLDS_FILES:
        return (
            f"the new node already has a volume {volume} with files (an earlier copy): "
            f"remove it there first ('docker volume rm {volume}' on that node)"
        )
    if code == NO_ANSWER:
        return "the old node's job never answered over the hub's network"
    return ""


def _records(client, volume):
    return client.configs(filters={"label": f"{LABEL_MOVED}={volume}"})


def record(client, prefix, volume, node_id, node_name):
    """Leave the hub a record that ``volume`` is now on node ``node_id`` (``node_name``),
    in place of any earlier one it has not taken yet."""
    for earlier in _records(client, volume):
        client.remove_config(earlier["ID"])
    client.create_config(
        f"{volume}-moved-{secrets.token_hex(4)}",
        node_id.encode(),
        labels={
            LABEL_PREFIX: prefix,
            LABEL_MOVED: volume,
            LABEL_NODE_ID: node_id,
            LABEL_NODE_NAME: node_name,
        },
    )


def _newest(records):
    newest = tasks.latest(records)
    if newest is None:
        return None
    labels = newest["Spec"].get("Labels") or {}
    return labels.get(LABEL_NODE_ID, ""), labels.get(LABEL_NODE_NAME, "")


def pending(client, volume):
    """``(node id, node name)`` of a move of ``volume`` the hub has not taken, or None."""
    return _newest(_records(client, volume))


def take(client, volume):
    """The pending move of ``volume`` (``pending``), its record removed; or None."""
    records = _records(client, volume)
    for each in records:
        client.remove_config(each["ID"])
    return _newest(records)
