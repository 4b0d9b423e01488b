"""How much of the disk each user's working volumes take, for the hub's home page.

Measuring walks the volume's files, which takes long for a big one, so a page never waits
for it: a page shows the last measurement, and asks for a new one when it is older than
``FRESH_SECONDS``; one thread measures, one volume at a time, at the lowest CPU and disk
priority. A volume Docker keeps elsewhere (a remote engine, another swarm node), or not
made yet, is not shown.
"""

import logging
import os
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from .. import engine
from ..sizes import human_size
from . import naming, quotas

log = logging.getLogger("JupyterHub")
FRESH_SECONDS = 300
MEASURE_TIMEOUT_SECONDS = 600


class VolumeUse:
    def __init__(self, client_kwargs=None):
        self.client_kwargs = client_kwargs
        # volume -> (bytes used, bytes free on its disk, time.time(), quotas.Use or None)
        self.measured = {}
        self.pending = set()
        self.lock = threading.Lock()
        self.pool = ThreadPoolExecutor(1, thread_name_prefix="volume-use")

    def report(self, prefix, user):
        """The sizes of ``user``'s volumes of hub ``prefix``, for the home page: one
        dict per server with ``server``, ``used`` and ``free`` (as ``2.1 GB``; None while
        not measured yet), ``minutes`` since the measurement, and for a volume with a quota
        ``quota`` (its size), ``percent`` and ``nearly_full``."""
        if user is None:
            return []
        rows = []
        for server in sorted({"", *user.orm_user.orm_spawners}):
            volume = naming.volume_name(prefix, user.name, server)
            found = self.measured.get(volume)
            # Not found last time (asking Docker is cheap), a quota's filesystem (its use is
            # known at once), or measured too long ago.
            if (
                found is None
                or found[0] is None
                or found[3] is not None
                or time.time() - found[2] > FRESH_SECONDS
            ):
                self._ask(volume)
            row = {"server": server, "used": None, "free": None, "minutes": 0, "quota": None}
            if found is not None:
                used, free, when, quota_use = found
                if used is None:
                    continue  # nothing to measure here (yet): no row
                row.update(used=human_size(used), free=human_size(free))
                row["minutes"] = int((time.time() - when) // 60)
                if quota_use is not None:
                    row.update(
                        quota=human_size(quota_use.size),
                        percent=round(100 * quota_use.share),
                        nearly_full=quota_use.nearly_full,
                    )
            rows.append(row)
        return rows

    def _ask(self, volume):
        with self.lock:
            if volume in self.pending:
                return
            self.pending.add(volume)
        self.pool.submit(self._measure, volume)

    def _measure(self, volume):
        # Until a measurement works, the page shows no row for the volume: one not made yet
        # (no first start), on another node, or Docker away.
        found = (None, None, time.time(), None)
        try:
            client = engine.connect(engine.client_kwargs(self.client_kwargs))
            info = client.inspect_volume(volume)
            # A volume with a quota is a filesystem of its own: its use is known at once.
            quotas.ready(info)
            quota_use = quotas.use(info)
            mountpoint = info["Mountpoint"]
            if quota_use is not None:
                free = quota_use.size - quota_use.used
                found = (quota_use.used, free, time.time(), quota_use)
            elif os.path.isdir(mountpoint):
                used = disk_use(mountpoint)
                found = (used, shutil.disk_usage(mountpoint).free, time.time(), None)
        except Exception as e:
            log.debug("Cannot measure volume %s: %s", volume, e)
        finally:
            self.measured[volume] = found
            with self.lock:
                self.pending.discard(volume)


def disk_use(path):
    """Bytes the files under ``path`` take on its disk (``du``), at idle priority."""
    out = subprocess.run(
        ["nice", "-n", "19", "ionice", "-c", "3", "du", "-s", "-x", "-B1", path],
        capture_output=True,
        text=True,
        check=True,
        timeout=MEASURE_TIMEOUT_SECONDS,
    ).stdout
    return int(out.split()[0])


def volume_use(prefix, user):
    """``report`` of the hub's measurements (a template variable, with the hub's prefix
    bound: JupyterHub copies its settings, which a measuring thread cannot be)."""
    return VOLUMES.report(prefix, user)


VOLUMES = VolumeUse()
