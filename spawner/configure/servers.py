"""Users' servers: containers on this machine, or services on a swarm."""

from ..hub import datadir
from ..sizes import parse_size


def configure(c, s):
    """Configure the spawner (``c.KaggleSpawner`` applies to both engines;
    ``c.KaggleSwarmSpawner`` to the swarm alone) and how many servers a user has."""
    c.JupyterHub.spawner_class = "kaggle-swarm" if s.swarm.on_swarm else "kaggle"
    servers = c.KaggleSpawner
    servers.image = s.image
    servers.network_name = s.network
    servers.network_internal = s.network_internal
    servers.name_prefix = s.prefix
    servers.shm_size = s.shm_size
    servers.profiles = list(s.profiles)
    servers.datasets_dir = s.datasets_dir
    servers.deleted_volumes = s.deleted_volumes
    servers.team_folder = s.team_folder
    servers.team_read_only_group = s.team_read_only_group
    servers.log_dir = datadir.server_log_dir(s.data_dir)
    if not s.swarm.on_swarm:
        # This machine's disk, quotas, GPU devices and standbys: KaggleSwarmSpawner has
        # none of them, and would warn of each at every start.
        servers.min_free_disk = parse_size(s.min_free_disk)
        servers.disk_quota = parse_size(s.disk_quota)
        servers.quota_folder = s.quota_dir
        servers.gpu_devices = None if s.gpus is None else list(s.gpus)
        servers.gpus_per_user = s.gpus_per_user
        servers.standby_max = s.standby_max
    c.KaggleSwarmSpawner.nfs_host = s.swarm.nfs_host
    c.KaggleSwarmSpawner.nfs_export = s.swarm.nfs_path
    c.KaggleSwarmSpawner.schedule_seconds = s.swarm.schedule_seconds
    c.JupyterHub.concurrent_spawn_limit = s.concurrent_spawns
    # Restarting the hub (an upgrade, a new setting) leaves running servers alone.
    c.JupyterHub.cleanup_servers = False
    c.JupyterHub.allow_named_servers = s.named_servers > 0
    c.JupyterHub.named_server_limit_per_user = s.named_servers
