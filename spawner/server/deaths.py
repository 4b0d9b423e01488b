"""Noticing at once that a running server's container died, from Docker's event stream.

JupyterHub polls each server every 30 s; meanwhile requests through the proxy to a dead
server hang before they fail. One thread per hub follows Docker's "die" events and hands
each death of a watched server to JupyterHub's own poll, which marks the server stopped
and removes its route. Events missed while the stream was lost (Docker restarting) are
made up for by checking every watched server once the stream is back. A process killed
for memory in a server that keeps running (an "oom" event: usually a kernel) is logged
with the server's limit.
"""

import asyncio
import logging
import threading
import time

from .. import engine, sizes

log = logging.getLogger("JupyterHub")
RECONNECT_SECONDS = 1.0
# Swarm's label on a task's container: the service (the server) it runs.
SERVICE_NAME = "com.docker.swarm.service.name"


class DeathWatch:
    def __init__(self):
        self.watched = {}  # container name -> spawner
        self.loop = None
        self.thread = None

    def watch(self, spawner):
        """Follow ``spawner``'s container (or its service's containers on this machine)
        until ``forget``; start the thread if needed."""
        self.watched[spawner.object_name] = spawner
        self.loop = asyncio.get_running_loop()
        if self.thread is None or not self.thread.is_alive():
            self.thread = threading.Thread(
                target=self._follow, args=(engine.client_kwargs(),), name="docker-deaths"
            )
            self.thread.daemon = True
            self.thread.start()

    def forget(self, spawner):
        if self.watched.get(spawner.object_name) is spawner:
            del self.watched[spawner.object_name]

    def _follow(self, client_kwargs):
        lost = False
        while True:
            try:
                client = engine.connect(client_kwargs)
                events = client.events(
                    decode=True, filters={"type": "container", "event": ["die", "oom"]}
                )
                if lost:
                    log.info("Following Docker's events again; checking every running server")
                    for spawner in list(self.watched.values()):
                        self._check(spawner)
                for event in events:
                    self._seen(event)
            except Exception as e:
                log.warning("Lost Docker's event stream (%s); following it again", e)
            lost = True
            time.sleep(RECONNECT_SECONDS)

    def _seen(self, event):
        attributes = (event.get("Actor") or {}).get("Attributes") or {}
        spawner = self.watched.get(attributes.get(SERVICE_NAME) or attributes.get("name", ""))
        if spawner is None:
            return
        if event.get("Action") == "oom":
            log.warning(
                "%s: a process ran out of memory and was killed (the server's limit is %s)",
                spawner._log_name,
                sizes.human_size(spawner.mem_limit) if spawner.mem_limit else "none",
            )
            return
        log.info(
            "%s died (exit code %s): marking it stopped",
            spawner._log_name,
            attributes.get("exitCode", "?"),
        )
        self._check(spawner)

    def _check(self, spawner):
        asyncio.run_coroutine_threadsafe(_check_running(spawner), self.loop)


async def _check_running(spawner):
    """Mark ``spawner``'s server stopped, with the reason, if its container is not running."""
    # A stop or a start under way handles the container itself.
    if spawner._stop_pending or spawner._spawn_pending:
        return
    if await spawner.poll() is None:
        return
    await spawner.note_death()
    await spawner.poll_and_notify()


def stop_reasons(user):
    """Why ``user``'s servers died, for the hub's pages (a template variable). JupyterHub
    drops a stopped server's Spawner, so the reasons are kept here, each until that
    server's next start."""
    if user is None:
        return []
    return [reason for (name, _), reason in sorted(REASONS.items()) if name == user.name]


# (user name, server name) -> why that server died
REASONS = {}

DEATHS = DeathWatch()
