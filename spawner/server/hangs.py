"""Noticing a running server that stopped answering, and telling its user and the admins.

A frozen container (paused, or stuck in uninterruptible disk I/O) still looks running to
Docker, so neither its death watch nor JupyterHub's poll notices it, while every request
to it hangs. The hub asks each running server for its ``api`` page every
``PROBE_SECONDS``; a server that leaves ``SILENT_PROBES`` probes in a row without an answer
is reported on its user's pages and on the admin page until it answers again or stops
(``forget``, as its polling ends).
Its container is left alone: a stuck disk may come back, and stopping is the user's call.
"""

import asyncio
import logging
import time

from tornado.httpclient import AsyncHTTPClient, HTTPClientError

from . import deaths

log = logging.getLogger("JupyterHub")
PROBE_SECONDS = 10.0
PROBE_TIMEOUT_SECONDS = 5.0
SILENT_PROBES = 2


class HangWatch:
    def __init__(self, probe_seconds=PROBE_SECONDS, timeout_seconds=PROBE_TIMEOUT_SECONDS):
        self.probe_seconds = probe_seconds
        self.timeout_seconds = timeout_seconds
        self.silent = {}  # (user name, server name) -> [probes missed, time of the first]
        self.task = None

    def start(self):
        """Probe in the background on the running event loop; None outside one."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return None
        self.task = loop.create_task(self._probe_forever())
        return self.task

    async def _probe_forever(self):
        while True:
            await asyncio.sleep(self.probe_seconds)
            spawners = [s for s in deaths.DEATHS.watched.values() if s.ready]
            await asyncio.gather(*(self.probe(s) for s in spawners))

    async def probe(self, spawner):
        """Ask ``spawner``'s server for its ``api`` page; note whether it answered."""
        key = _key(spawner)
        answered = await self._answers(spawner.server.url + "api")
        if not spawner.ready:
            # Stopped meanwhile: what it did no longer matters.
            return
        if answered:
            if self.silent.pop(key, [0])[0] >= SILENT_PROBES:
                log.info("%s answers again", spawner._log_name)
            return
        missed = self.silent.setdefault(key, [0, time.time()])
        missed[0] += 1
        if missed[0] == SILENT_PROBES:
            log.warning(
                "%s has not answered for %.0f s: its user is told to restart it",
                spawner._log_name,
                time.time() - missed[1],
            )

    async def _answers(self, url):
        try:
            await AsyncHTTPClient().fetch(url, request_timeout=self.timeout_seconds)
        except HTTPClientError as e:
            # An error page is an answer; a timeout (599) is not.
            return e.code != 599
        except OSError:
            return False
        return True

    def forget(self, spawner):
        """Drop what is known of ``spawner``'s server (it stopped)."""
        self.silent.pop(_key(spawner), None)

    def hung(self):
        """``(user name, server name, seconds silent)`` of each server reported as hung."""
        now = time.time()
        return [
            (user, server, now - since)
            for (user, server), (missed, since) in sorted(self.silent.items())
            if missed >= SILENT_PROBES
        ]


def _key(spawner):
    return spawner.user.name, spawner.name


def hung_servers(user):
    """What the hub's pages say about hung servers (a template variable): a user's own, to
    that user; every user's, to an admin on the admin page."""
    if user is None:
        return []
    return [
        {"user": name, "server": server, "seconds": round(seconds)}
        for name, server, seconds in HANGS.hung()
        if name == user.name or user.admin
    ]


HANGS = HangWatch()
