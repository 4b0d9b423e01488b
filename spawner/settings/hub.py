"""The hub's settings, read from environment variables and an optional ``.env`` file.

Every variable is listed in ``VARIABLES`` with its default and meaning; the README's table
is the same list. A variable set in the environment wins over the same one in ``.env``.
"""

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..images import tags
from ..server import naming, profiles, team
from ..server.container import SHM_SIZE
from ..sizes import parse_size
from . import login
from .backups import VARIABLES as BACKUP_VARIABLES
from .backups import BackupSettings
from .backups import from_env as backups_from_env
from .environment import (
    REPO_DIR,
    SettingsError,
    choice,
    count,
    flag,
    names,
    port,
    read_environment,
    size,
)
from .serving import TLS_MODES, ServingSettings, public_url
from .serving import VARIABLES as SERVING_VARIABLES
from .serving import from_env as serving_from_env
from .swarm import VARIABLES as SWARM_VARIABLES
from .swarm import SwarmSettings
from .swarm import from_env as swarm_from_env

VARIABLES = {
    "KAGGLE_HUB_IMAGE": "image for user servers; default: the Kaggle image built by "
    "./deploy/build-image kaggle",
    "KAGGLE_HUB_DATA_DIR": "hub state (database, secrets); default /var/lib/kaggle-team-hub "
    "as root, else ~/.local/share/kaggle-team-hub",
    "KAGGLE_HUB_IP": "address the hub's web page listens on; default 127.0.0.1",
    "KAGGLE_HUB_PORT": "port of the hub's web page; default 8000",
    "KAGGLE_HUB_PROXY_API_PORT": "port of the proxy's API on 127.0.0.1; default PORT+10000",
    "KAGGLE_HUB_API_IP": "address of the hub's API, reached by user containers; default the "
    "gateway of KAGGLE_HUB_NETWORK (the network is created if missing)",
    "KAGGLE_HUB_API_PORT": "port of the hub's API; default PORT+20000",
    "KAGGLE_HUB_NETWORK": "Docker network of user containers; default kaggle-team-hub",
    "KAGGLE_HUB_NETWORK_INTERNAL": "1 = create the network with --internal (no route off the "
    "machine); default 0",
    "KAGGLE_HUB_PREFIX": f"prefix of container and volume names; default {naming.DEFAULT_PREFIX}",
    "KAGGLE_HUB_SHM_SIZE": f"size of /dev/shm in user containers; default {SHM_SIZE}",
    "KAGGLE_HUB_ADMINS": "comma-separated usernames that are hub admins; default none",
    "KAGGLE_HUB_NAMED_SERVERS": "named servers a user may have besides the default one; "
    "0 turns them off; default 3",
    "KAGGLE_HUB_CONFIG_D": "folder of *.py drop-ins applied last, in name order; default "
    "jupyterhub_config.d next to jupyterhub_config.py",
    "KAGGLE_HUB_ENV_FILE": "file of KEY=value lines read before the environment; default .env "
    "next to jupyterhub_config.py",
    "KAGGLE_HUB_PROFILES_FILE": "JSON file listing server profiles users choose from; default "
    "one profile from the settings above",
    "KAGGLE_HUB_DATASETS_DIR": "host directory of shared datasets (competitions/<slug>/, "
    "datasets/<owner>/<slug>/, or plain <name>/), read-only in every server; default none",
    "KAGGLE_HUB_KAGGLE_API": "Kaggle's API that kaggle-hub datasets add downloads from; "
    "default https://www.kaggle.com/api/v1",
    "KAGGLE_HUB_DELETED_VOLUMES": "quarantine or remove a deleted user's volumes; default "
    "quarantine",
    "KAGGLE_HUB_CULL_IDLE_SECONDS": "stop servers idle this long; 0 turns it off; default 3600",
    "KAGGLE_HUB_MIN_FREE_DISK": "free space Docker's disk must keep for a server to start "
    "(below it starts are refused with the reason); 0 turns the check off; default 2g",
    "KAGGLE_HUB_DISK_QUOTA": "room each new working volume has (e.g. 20g), as a filesystem "
    "of its own: members see their use, are warned at 90 %, and a write past it fails for "
    "them alone; 0 = no quota; default 0",
    "KAGGLE_HUB_QUOTA_DIR": "folder holding the filesystems of volumes with a quota; default "
    "/var/lib/kaggle-team-hub/quotas",
    "KAGGLE_HUB_GPUS": "the GPUs servers are given, by device id (e.g. 0,1,2,3), or none; "
    "default those nvidia-smi lists",
    "KAGGLE_HUB_GPUS_PER_USER": "GPUs one member's servers may hold at once; 0 = no limit; "
    "default 0",
    "KAGGLE_HUB_TEAM_FOLDER": "name of the team folder every member reads and writes, in "
    "each server's working tree (/tmp/working/NAME), with each file's maker on record; off "
    "= none; default team (off on a swarm without KAGGLE_HUB_SWARM_NFS)",
    "KAGGLE_HUB_TEAM_READ_ONLY_GROUP": "hub group whose members may only read the team "
    "folder; default none",
    "KAGGLE_HUB_SHARING": "1 = members may share a running server with a teammate (from the "
    "home page); default 1",
    "KAGGLE_HUB_CONCURRENT_SPAWNS": "servers that may be starting at once; more are asked to "
    "retry; default 20",
    "KAGGLE_HUB_PREPULL": "1 = pull missing images of the hub and its profiles in the "
    "background when the hub starts; default 1",
    "KAGGLE_HUB_DOCKER_WAIT_SECONDS": "how long a starting hub waits for Docker to answer "
    "(at boot, or while Docker restarts) before it gives up; default 60",
    "KAGGLE_HUB_TEAM_NAME": "the team's name, shown on the hub's pages; default none",
    "KAGGLE_HUB_ANNOUNCEMENT": "a line shown at the top of every hub page (planned downtime, "
    "news); plain text; default none",
    **SERVING_VARIABLES,
    **SWARM_VARIABLES,
    **BACKUP_VARIABLES,
    **login.VARIABLES,
}

PORT_RANGE = (1024, 65536)
QUOTA_MINIMUM = 32 * 1024**2
GPU_ID = re.compile(r"^[A-Za-z0-9-]{1,64}$")


@dataclass(frozen=True)
class Settings:
    image: str
    data_dir: Path
    ip: str
    port: int
    proxy_api_port: int
    api_ip: str
    api_port: int
    network: str
    network_internal: bool
    prefix: str
    shm_size: str
    admins: frozenset
    named_servers: int
    config_d: Path
    config_dir: Path
    auth: login.AuthSettings
    serving: ServingSettings = ServingSettings()
    swarm: SwarmSettings = SwarmSettings()
    backups: BackupSettings = BackupSettings()
    public_url: str = ""
    team_name: str = ""
    announcement: str = ""
    profiles: tuple = ()
    datasets_dir: str = ""
    kaggle_api: str = "https://www.kaggle.com/api/v1"
    deleted_volumes: str = "quarantine"
    cull_idle_seconds: int = 3600
    concurrent_spawns: int = 20
    min_free_disk: str = "2g"
    disk_quota: str = "0"
    quota_dir: str = "/var/lib/kaggle-team-hub/quotas"
    gpus: tuple | None = None  # None: those nvidia-smi lists
    gpus_per_user: int = 0
    team_folder: str = "team"  # "": none
    team_read_only_group: str = ""
    sharing: bool = True
    prepull: bool = True
    docker_wait_seconds: int = 60


def derived_port(base, offset):
    """A port ``offset`` away from ``base``, wrapped into the unprivileged range."""
    low, high = PORT_RANGE
    return (base - low + offset) % (high - low) + low


def read_profiles(path):
    """The profile dicts in the JSON file ``path`` ('' = none)."""
    if not path:
        return ()
    try:
        raw = json.loads(Path(path).read_text())
    except OSError as e:
        raise SettingsError(
            f"KAGGLE_HUB_PROFILES_FILE={path!r} cannot be read ({e.strerror})."
        ) from None
    except ValueError as e:
        raise SettingsError(f"KAGGLE_HUB_PROFILES_FILE={path!r} is not JSON ({e}).") from None
    if not isinstance(raw, list):
        raise SettingsError(f"KAGGLE_HUB_PROFILES_FILE={path!r} must hold a JSON list of profiles.")
    return tuple(raw)


def gpu_ids(text):
    """``KAGGLE_HUB_GPUS``: None when unset (ask nvidia-smi), () for none, else the ids."""
    text = text.strip()
    if not text:
        return None
    if text == "none":
        return ()
    ids = tuple(part.strip() for part in text.split(","))
    if not all(GPU_ID.match(i) for i in ids) or len(set(ids)) != len(ids):
        raise SettingsError(
            f"KAGGLE_HUB_GPUS={text!r}: list each GPU once by its index or UUID as nvidia-smi "
            "shows it, comma-separated (e.g. 0,1,2,3), or write none."
        )
    return ids


def team_folder(env, swarm):
    """``KAGGLE_HUB_TEAM_FOLDER``: the folder's name, or '' for none. On a swarm the team
    folder must be one NFS folder every node mounts, not one volume per node."""
    text = (env.get("KAGGLE_HUB_TEAM_FOLDER") or "").strip()
    one_copy = not swarm.on_swarm or swarm.nfs_host
    if text == "off" or (not text and not one_copy):
        return ""
    if not one_copy:
        raise SettingsError(
            "KAGGLE_HUB_TEAM_FOLDER: on a swarm the team folder is a folder of the NFS export "
            "every node mounts; set KAGGLE_HUB_SWARM_NFS, or set KAGGLE_HUB_TEAM_FOLDER=off."
        )
    problem = team.folder_problem(text or Settings.team_folder)
    if problem:
        raise SettingsError(f"KAGGLE_HUB_TEAM_FOLDER: {problem}")
    return text or Settings.team_folder


def default_data_dir(euid, home):
    if euid == 0:
        return Path("/var/lib/kaggle-team-hub")
    return Path(home) / ".local/share/kaggle-team-hub"


def from_env(env, config_dir=REPO_DIR, euid=None, home=None):
    """Build ``Settings`` from a mapping of variables; raise SettingsError on bad values."""
    euid = os.geteuid() if euid is None else euid
    home = home or os.path.expanduser("~")
    hub_port = port(env, "KAGGLE_HUB_PORT", 8000)
    prefix = env.get("KAGGLE_HUB_PREFIX") or naming.DEFAULT_PREFIX
    try:
        naming.check_prefix(prefix)
    except ValueError as e:
        raise SettingsError(f"KAGGLE_HUB_PREFIX: {e}") from None
    ip = env.get("KAGGLE_HUB_IP") or "127.0.0.1"
    tls = choice(env, "KAGGLE_HUB_TLS", TLS_MODES, "off")
    url = public_url(env, ip, hub_port, tls)
    settings = Settings(
        image=env.get("KAGGLE_HUB_IMAGE") or tags.image_tag("kaggle"),
        data_dir=Path(env.get("KAGGLE_HUB_DATA_DIR") or default_data_dir(euid, home)),
        ip=ip,
        port=hub_port,
        proxy_api_port=port(env, "KAGGLE_HUB_PROXY_API_PORT", derived_port(hub_port, 10000)),
        api_ip=env.get("KAGGLE_HUB_API_IP", ""),
        api_port=port(env, "KAGGLE_HUB_API_PORT", derived_port(hub_port, 20000)),
        network=env.get("KAGGLE_HUB_NETWORK") or "kaggle-team-hub",
        network_internal=flag(env, "KAGGLE_HUB_NETWORK_INTERNAL"),
        prefix=prefix,
        shm_size=size(env, "KAGGLE_HUB_SHM_SIZE", SHM_SIZE),
        admins=names(env, "KAGGLE_HUB_ADMINS"),
        named_servers=count(env, "KAGGLE_HUB_NAMED_SERVERS", 3),
        config_d=Path(env.get("KAGGLE_HUB_CONFIG_D") or Path(config_dir) / "jupyterhub_config.d"),
        config_dir=Path(config_dir),
        auth=login.from_env(env, ip, hub_port, tls),
        serving=serving_from_env(env, ip, hub_port, url, euid),
        swarm=swarm_from_env(env),
        backups=backups_from_env(env),
        public_url=url,
        team_name=(env.get("KAGGLE_HUB_TEAM_NAME") or "").strip(),
        announcement=(env.get("KAGGLE_HUB_ANNOUNCEMENT") or "").strip(),
        profiles=read_profiles(env.get("KAGGLE_HUB_PROFILES_FILE", "")),
        datasets_dir=env.get("KAGGLE_HUB_DATASETS_DIR", ""),
        kaggle_api=(env.get("KAGGLE_HUB_KAGGLE_API") or Settings.kaggle_api).rstrip("/"),
        deleted_volumes=choice(
            env, "KAGGLE_HUB_DELETED_VOLUMES", ("quarantine", "remove"), "quarantine"
        ),
        cull_idle_seconds=count(env, "KAGGLE_HUB_CULL_IDLE_SECONDS", 3600),
        concurrent_spawns=count(env, "KAGGLE_HUB_CONCURRENT_SPAWNS", 20),
        min_free_disk=size(env, "KAGGLE_HUB_MIN_FREE_DISK", "2g"),
        disk_quota=size(env, "KAGGLE_HUB_DISK_QUOTA", "0"),
        quota_dir=env.get("KAGGLE_HUB_QUOTA_DIR") or Settings.quota_dir,
        gpus=gpu_ids(env.get("KAGGLE_HUB_GPUS", "")),
        gpus_per_user=count(env, "KAGGLE_HUB_GPUS_PER_USER", 0),
        team_folder=team_folder(env, swarm_from_env(env)),
        team_read_only_group=(env.get("KAGGLE_HUB_TEAM_READ_ONLY_GROUP") or "").strip(),
        sharing=flag(env, "KAGGLE_HUB_SHARING", True),
        prepull=flag(env, "KAGGLE_HUB_PREPULL", True),
        docker_wait_seconds=count(env, "KAGGLE_HUB_DOCKER_WAIT_SECONDS", 60),
    )
    if settings.datasets_dir and not Path(settings.datasets_dir).is_dir():
        raise SettingsError(
            f"KAGGLE_HUB_DATASETS_DIR={settings.datasets_dir!r} is not a directory: create it "
            "(one subdirectory per dataset) or unset the variable."
        )
    try:
        profiles.parse(list(settings.profiles), settings.image, settings.shm_size)
    except ValueError as e:
        raise SettingsError(f"KAGGLE_HUB_PROFILES_FILE: {e}") from None
    if settings.backups.scheduled and settings.swarm.on_swarm:
        raise SettingsError(
            "KAGGLE_HUB_BACKUP_DIR: scheduled backups cover one machine's volumes; on a swarm, "
            "back up the NFS export (or each node's volumes with kaggle-hub backup USER) and "
            "unset it."
        )
    if parse_size(settings.disk_quota) and settings.swarm.on_swarm:
        raise SettingsError(
            "KAGGLE_HUB_DISK_QUOTA: quotas are filesystems on the hub's machine; on a swarm, "
            "set quotas on the NFS export that holds the volumes, and unset it."
        )
    if parse_size(settings.disk_quota) and euid != 0:
        raise SettingsError(
            "KAGGLE_HUB_DISK_QUOTA: each volume with a quota is a filesystem the hub mounts, "
            "which needs root: run the hub as root (the service does), or unset it."
        )
    if 0 < parse_size(settings.disk_quota) < QUOTA_MINIMUM:
        raise SettingsError(
            f"KAGGLE_HUB_DISK_QUOTA={settings.disk_quota}: a volume needs at least 32m (its "
            "filesystem's own records take a few MB); use e.g. 20g, or 0 for no quota."
        )
    clashes = {settings.proxy_api_port, settings.api_port} & {settings.port}
    if clashes or settings.proxy_api_port == settings.api_port:
        raise SettingsError(
            f"KAGGLE_HUB_PORT={settings.port}, KAGGLE_HUB_PROXY_API_PORT="
            f"{settings.proxy_api_port} and KAGGLE_HUB_API_PORT={settings.api_port} must all "
            "differ: unset the API ports to have them derived from KAGGLE_HUB_PORT."
        )
    return settings


def load(config_dir=REPO_DIR):
    """The settings of the hub whose ``jupyterhub_config.py`` is in ``config_dir``: the
    environment over that folder's ``.env``."""
    return from_env(read_environment(config_dir=config_dir), config_dir=config_dir)
