"""The standbys at the hub's start: those made within ``KAGGLE_HUB_STANDBY_HOURS`` are
kept (started again after a reboot) and the others removed; then each stopped server used
within those hours gets one if it has none, most recently used first, so that the
morning's first starts wake as the evening's would have."""

import asyncio
import datetime
import logging
import time

from jupyterhub import orm

from .. import engine
from . import naming, standby

log = logging.getLogger("JupyterHub")


async def tidy(app, prefix, hours):
    """Keep hub ``prefix``'s standbys made within ``hours``, remove the others."""
    servers = {
        naming.server_base_name(prefix, spawner.user.name, spawner.name)
        for spawner in app.db.query(orm.Spawner)
    }
    client = engine.connect(engine.client_kwargs())
    oldest = time.time() - hours * 3600
    loop = asyncio.get_running_loop()
    try:
        started, removed = await loop.run_in_executor(
            None, standby.tidy, client, prefix, servers, oldest
        )
    except Exception as e:
        log.warning("Could not look over the standbys: %s", e)
        return
    for name in started:
        log.info("Started standby %s again (made within %s h)", name, hours)
    for name in removed:
        log.info("Removed standby %s: made over %s h ago, or its server was deleted", name, hours)


def recently_used(db, hours, now=None):
    """The stopped servers (``orm.Spawner``) used within ``hours``, most recent first."""
    now = now or datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    since = now - datetime.timedelta(hours=hours)
    return (
        db.query(orm.Spawner)
        .filter(orm.Spawner.server_id.is_(None), orm.Spawner.last_activity >= since)
        .order_by(orm.Spawner.last_activity.desc())
        .all()
    )


async def prepare(app, hours):
    """Make the standbys of the stopped servers used within ``hours`` that have none, at
    most as many as standbys may wait."""
    waiting = 0
    for orm_spawner in recently_used(app.db, hours):
        user = app.users[orm_spawner.user]
        spawner = user._new_spawner(orm_spawner.name)
        if not hasattr(spawner, "prepare_standby"):
            return
        if waiting >= spawner._standby_limit():
            return
        try:
            waiting += await spawner.prepare_standby()
        except Exception as e:
            log.warning("Could not make a standby for %s: %s", spawner._log_name, e)
