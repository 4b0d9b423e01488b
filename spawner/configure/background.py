"""Work a serving hub starts once it runs, so that nobody waits for it."""

from ..hub import datadir
from ..images import inventory, prepull
from ..images.pulls import PULL_STALL_SECONDS
from ..server import hangs, orphans
from ..swarm import orphans as swarm_orphans


def start(c, s):
    """Start the pre-pull, the sweep of servers no hub record knows, and the watch for
    hung servers, on the hub's event loop."""
    # Missing images are pulled in the background, so the first user does not wait; a
    # spawn that needs one meanwhile follows the same pull. (On a swarm each node pulls.)
    if s.prepull and not s.swarm.on_swarm:
        prepull.start(
            inventory.configured_images(s.image, s.profiles),
            c.KaggleSpawner.get("pull_stall_seconds", PULL_STALL_SECONDS),
        )
    # Servers left running by a hub that lost its state are removed once the hub runs
    # (their volumes stay): containers here, services on a swarm. Here, standbys of members
    # active within KAGGLE_HUB_STANDBY_HOURS are kept (started again after a reboot).
    orphans.start(
        s.prefix,
        datadir.server_log_dir(s.data_dir),
        swarm_orphans.sweep if s.swarm.on_swarm else None,
        s.standby_hours,
    )
    # A running server that stops answering (frozen) is reported to its user and admins.
    hangs.HANGS.start()
