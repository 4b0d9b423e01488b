"""Servers no hub record knows, left running by a hub whose state was lost (a wiped data
dir, a database restored from an older copy). Their tokens mean nothing to the new hub,
so nobody can use them; they only hold memory. Once the hub runs, each is stopped and
removed, its log kept; its volume stays for the user's next start."""

import asyncio
import logging
import time

import docker
from jupyterhub import orm

from .. import engine
from . import logs, naming, standby, standby_start
from .container import LABEL_SERVER_NAME
from .naming import LABEL_PREFIX

log = logging.getLogger("JupyterHub")
STARTUP_WAIT_SECONDS = 300


def start(prefix, log_dir, sweeper=None, standby_hours=None):
    """Sweep in the background on the running event loop, once the hub is up; return the
    task (None outside a hub's event loop, e.g. ``jupyterhub upgrade-db``). ``sweeper``
    removes the servers (default: this machine's containers, ``sweep``, then the standbys
    are looked over: ``standby_start``)."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    return loop.create_task(
        _sweep_when_up(prefix, log_dir, time.time(), sweeper or sweep, standby_hours)
    )


async def _sweep_when_up(prefix, log_dir, began, sweeper, standby_hours):
    from jupyterhub.app import JupyterHub

    app = JupyterHub.instance()
    for _ in range(STARTUP_WAIT_SECONDS * 10):
        if getattr(app, "http_server", None) is not None:
            break
        await asyncio.sleep(0.1)
    else:
        return
    known = {
        naming.server_base_name(prefix, spawner.user.name, spawner.name)
        for spawner in app.db.query(orm.Spawner)
        if spawner.server is not None
    }
    loop = asyncio.get_running_loop()
    try:
        swept = await loop.run_in_executor(
            None, sweeper, engine.client_kwargs(), prefix, known, began, log_dir
        )
    except Exception as e:
        log.warning("Could not look for servers no hub record knows: %s", e)
        return
    for name in swept:
        log.warning(
            "Removed %s: a server no hub record knows (the hub's state was lost or restored "
            "from an older copy); its volume is kept",
            name,
        )
    if sweeper is sweep and standby_hours is not None:
        await standby_start.tidy(app, prefix, standby_hours)
        await standby_start.prepare(app, standby_hours)


def _name(container):
    return (container.get("Names") or ["/"])[0].lstrip("/")


def server_of(container, prefix):
    """The full escaped name (``naming.server_base_name``) of the server whose container
    this is, if it belongs to hub ``prefix``, else None. Containers carry it in a label;
    those made by releases before the label are known by their (unshortened) name."""
    name = _name(container)
    labels = container.get("Labels") or {}
    if labels.get(LABEL_PREFIX, prefix) != prefix:
        return None
    if LABEL_SERVER_NAME in labels:
        return labels[LABEL_SERVER_NAME]
    return name if naming.parse_volume_name(prefix, name + naming.VOLUME_SUFFIX) else None


def orphans(containers, prefix, known, before):
    """Names of the containers of hub ``prefix`` created before ``before`` (a Unix time)
    whose server (its full escaped name) is not ``known``."""
    found = []
    for c in containers:
        if standby.is_standby(c):
            continue
        server = server_of(c, prefix)
        if server and server not in known and c.get("Created", before) < before:
            found.append(_name(c))
    return sorted(found)


def sweep(client_kwargs, prefix, known, before, log_dir):
    client = engine.connect(client_kwargs)
    found = orphans(client.containers(all=True), prefix, known, before)
    for name in found:
        try:
            text = client.logs(name, tail=logs.TAIL_LINES).decode("utf-8", "replace")
            if log_dir:
                logs.keep(log_dir, name, text, "removed: no hub record knew this server")
            client.remove_container(name, force=True)
        except docker.errors.NotFound:
            continue
    return found
