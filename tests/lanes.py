"""./deploy/test runs the swarm tier in a lane of its own, beside the Docker tier's
workers: each lane names its hubs with its own root and hands out ports from its own range,
so that neither sweeps up, nor binds, what the other is using. A single pytest run (any
arguments) is the Docker lane alone, whatever tiers it selects."""

import os

LANE = os.environ.get("KAGGLE_HUB_TEST_LANE", "docker")
if LANE not in ("docker", "swarm"):
    raise ValueError(f"KAGGLE_HUB_TEST_LANE={LANE!r}: 'docker' (the default) or 'swarm'")

# The start of each test hub's prefix (its containers', volumes' and networks' names).
PREFIX_ROOT = {"docker": "kth-test", "swarm": "kth-swrm"}[LANE]
# Ports below the kernel's range for outgoing connections (32768 up), so that none is taken
# by a connection between the hand-out and its listener's start.
PORTS = {"docker": range(20000, 30000), "swarm": range(30000, 32768)}[LANE]
