"""The hub's settings, read from environment variables and an optional ``.env`` file.

Each module of ``spawner.settings`` declares its variables once (``VARIABLES``: name,
meaning, default; see ``variables``). A variable set in the environment wins over the same
one in ``.env``.
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
    raw,
    read_environment,
    size,
)
from .serving import ServingSettings
from .serving import from_env as serving_from_env
from .swarm import SwarmSettings
from .swarm import from_env as swarm_from_env
from .variables import Variable, declare

VARIABLES = declare(
    Variable(
        "KAGGLE_HUB_IMAGE",
        "image of user servers (`./deploy/run --lite` sets the lite one)",
        default=tags.image_tag("kaggle"),
    ),
    Variable(
        "KAGGLE_HUB_DATA_DIR",
        "hub state: database, cookie secret, proxy token, auth-state key, metrics token, the "
        "hub's CA, ACME account, backups and logs; created owner-only, secrets generated once",
        shown="`/var/lib/kaggle-team-hub` as root, else `~/.local/share/kaggle-team-hub`",
    ),
    Variable(
        "KAGGLE_HUB_IP",
        "address of the hub's web page; `0.0.0.0` for the whole network, with `KAGGLE_HUB_TLS` "
        "set (see [Serve your team](../tutorial.md#serve-your-team))",
        default="127.0.0.1",
    ),
    Variable(
        "KAGGLE_HUB_PORT",
        "port of the hub's web page",
        default="8000",
    ),
    Variable(
        "KAGGLE_HUB_PROXY_API_PORT",
        "port of the proxy's (traefik's) API, on 127.0.0.1",
        shown="`KAGGLE_HUB_PORT` + 10000",
    ),
    Variable(
        "KAGGLE_HUB_API_IP",
        "address of the hub's API; user containers reach it there, and it is on no other "
        "interface. The network is created if missing, with traffic between containers off, and "
        "fenced: an iptables chain on its bridge lets user containers reach only this port of the "
        "machine (set this variable and the fence is yours to build)",
        shown="the gateway of `KAGGLE_HUB_NETWORK`",
    ),
    Variable(
        "KAGGLE_HUB_API_PORT",
        "port of the hub's API",
        shown="`KAGGLE_HUB_PORT` + 20000",
    ),
    Variable(
        "KAGGLE_HUB_NETWORK",
        "Docker network of user containers",
        default="kaggle-team-hub",
    ),
    Variable(
        "KAGGLE_HUB_NETWORK_INTERNAL",
        "`1` creates the network with `--internal`: no route off the machine",
        default="0",
    ),
    Variable(
        "KAGGLE_HUB_PREFIX",
        "prefix of container and volume names",
        default=naming.DEFAULT_PREFIX,
    ),
    Variable(
        "KAGGLE_HUB_SHM_SIZE",
        "size of `/dev/shm` in user containers",
        default=SHM_SIZE,
    ),
    Variable(
        "KAGGLE_HUB_ADMINS",
        "comma-separated usernames that are admins",
    ),
    Variable(
        "KAGGLE_HUB_NAMED_SERVERS",
        "named servers a user may have besides the default one; `0` turns them off",
        default="3",
    ),
    Variable(
        "KAGGLE_HUB_CONFIG_D",
        "folder of drop-in `*.py` files",
        shown="`jupyterhub_config.d` next to the config",
    ),
    Variable(
        "KAGGLE_HUB_ENV_FILE",
        "file of `KEY=value` lines",
        shown="`.env` next to the config",
    ),
    Variable(
        "KAGGLE_HUB_PROFILES_FILE",
        "JSON list of server profiles users choose from; see [Resources and "
        "data](../howto/resources.md)",
        shown="none (one profile from the settings above)",
    ),
    Variable(
        "KAGGLE_HUB_DATASETS_DIR",
        "host directory of the team's data in Kaggle's layout (`competitions/<slug>/`, "
        "`datasets/<owner>/<slug>/`) and plain `<name>/` folders, read-only in every server; see "
        "[Shared datasets]"
        "(../howto/resources.md#shared-datasets-kaggles-data-one-copy-for-the-team)",
    ),
    Variable(
        "KAGGLE_HUB_KAGGLE_API",
        "Kaggle's API that `kaggle-hub datasets add` downloads from",
        default="https://www.kaggle.com/api/v1",
    ),
    Variable(
        "KAGGLE_HUB_DELETED_VOLUMES",
        "what happens to a deleted user's volumes: `quarantine` (kept under a new name) or "
        "`remove`",
        default="quarantine",
    ),
    Variable(
        "KAGGLE_HUB_MIN_FREE_DISK",
        "free space the disk of Docker's root folder must keep for a server to start; below it "
        "every start is refused with the folder, what is free and what to remove (HTTP 507), "
        "before Docker fails halfway; `0` turns the check off",
        default="2g",
    ),
    Variable(
        "KAGGLE_HUB_DISK_QUOTA",
        "room each new working volume has (e.g. `20g`, at least `32m`): the volume is a "
        "filesystem of its own, so a write past it fails for that member alone; members see their "
        "use and are warned from 90 %; raising it grows volumes at their next start; see [Disk "
        "quotas](../howto/resources.md#disk-quotas)",
        default="0",
        shown="`0` (none)",
    ),
    Variable(
        "KAGGLE_HUB_QUOTA_DIR",
        "folder on the hub's machine holding the filesystems of volumes with a quota (a sparse "
        "file each)",
        default="/var/lib/kaggle-team-hub/quotas",
    ),
    Variable(
        "KAGGLE_HUB_GPUS",
        "the GPUs servers are given, by index or UUID, comma-separated (e.g. `0,1,2,3`), or "
        "`none`; see [GPUs](../howto/resources.md#gpus-one-server-per-device)",
        shown="those `nvidia-smi` lists",
    ),
    Variable(
        "KAGGLE_HUB_GPUS_PER_USER",
        "GPUs one member's servers may hold at once; `0`: no limit",
        default="0",
    ),
    Variable(
        "KAGGLE_HUB_TEAM_FOLDER",
        "name of the team folder every member reads and writes, in each server's working tree "
        "(`/tmp/working/NAME`), with each file's maker on record; `off`: none; see [the team "
        "folder](../howto/working-together.md#working-together-the-team-folder)",
        default="team",
        shown="`team` (none on a swarm without NFS)",
    ),
    Variable(
        "KAGGLE_HUB_TEAM_READ_ONLY_GROUP",
        "hub group whose members may only read the team folder",
    ),
    Variable(
        "KAGGLE_HUB_SHARING",
        "members may share a running server with a teammate from the home page (JupyterHub's "
        "sharing); `0` turns it off",
        default="1",
    ),
    Variable(
        "KAGGLE_HUB_CULL_IDLE_SECONDS",
        "servers idle this long are stopped (their files stay); `0` turns culling off",
        default="3600",
    ),
    Variable(
        "KAGGLE_HUB_CONCURRENT_SPAWNS",
        "servers that may be starting at once (JupyterHub's `concurrent_spawn_limit`, whose "
        'default is 100); a spawn beyond it is answered 429 "try again"',
        default="20",
    ),
    Variable(
        "KAGGLE_HUB_STANDBY_MAX",
        "standbys kept at once: a stopped member's next server made ready in advance, so "
        "their next start takes a fraction of a cold one; `auto`: as many as a quarter of the "
        "memory available at the hub's start holds at 256 MB each; `0` turns them off",
        default="auto",
    ),
    Variable(
        "KAGGLE_HUB_STANDBY_HOURS",
        "a restarted hub keeps (and starts again) the standbys made within this many hours "
        "(when their member's server stopped), removes older ones, and makes one for each "
        "server used within them that has none",
        default="10",
    ),
    Variable(
        "KAGGLE_HUB_PREPULL",
        "pull missing images of the hub and its profiles in the background when the hub starts",
        default="1",
    ),
    Variable(
        "KAGGLE_HUB_DOCKER_WAIT_SECONDS",
        "how long a starting hub waits for Docker to answer (at boot, or while Docker restarts) "
        "before it gives up",
        default="60",
    ),
    Variable(
        "KAGGLE_HUB_TEAM_NAME",
        "the team's name, shown on the hub's pages",
    ),
    Variable(
        "KAGGLE_HUB_ANNOUNCEMENT",
        "a line shown at the top of every hub page (planned downtime, news); plain text. A "
        "drop-in may still set JupyterHub's own `announcement_login` and the like in "
        "`c.JupyterHub.template_vars`: it adds to the hub's page names, it does not replace them",
    ),
)

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
    serving: ServingSettings
    swarm: SwarmSettings
    backups: BackupSettings
    team_name: str
    announcement: str
    profiles: tuple
    datasets_dir: str
    kaggle_api: str
    deleted_volumes: str
    cull_idle_seconds: int
    concurrent_spawns: int
    min_free_disk: str
    disk_quota: str
    quota_dir: str
    gpus: tuple | None  # None: those nvidia-smi lists
    gpus_per_user: int
    team_folder: str  # "": none
    team_read_only_group: str
    sharing: bool
    prepull: bool
    docker_wait_seconds: int
    standby_max: int | None  # None: sized from the memory available
    standby_hours: int

    @property
    def public_url(self):
        """The hub's address as people open it ('' for a wildcard address without
        KAGGLE_HUB_PUBLIC_URL)."""
        return self.serving.public_url


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
    given = (env.get("KAGGLE_HUB_TEAM_FOLDER") or "").strip()
    one_copy = not swarm.on_swarm or swarm.nfs_host
    if given == "off" or (not given and not one_copy):
        return ""
    if not one_copy:
        raise SettingsError(
            "KAGGLE_HUB_TEAM_FOLDER: on a swarm the team folder is a folder of the NFS export "
            "every node mounts; set KAGGLE_HUB_SWARM_NFS, or set KAGGLE_HUB_TEAM_FOLDER=off."
        )
    name = raw(env, "KAGGLE_HUB_TEAM_FOLDER")
    problem = team.folder_problem(name)
    if problem:
        raise SettingsError(f"KAGGLE_HUB_TEAM_FOLDER: {problem}")
    return name


def standby_max(env):
    """``KAGGLE_HUB_STANDBY_MAX``: a count, or None for ``auto``."""
    if raw(env, "KAGGLE_HUB_STANDBY_MAX") == "auto":
        return None
    return count(env, "KAGGLE_HUB_STANDBY_MAX")


def default_data_dir(euid, home):
    if euid == 0:
        return Path("/var/lib/kaggle-team-hub")
    return Path(home) / ".local/share/kaggle-team-hub"


def from_env(env, config_dir=REPO_DIR, euid=None, home=None):
    """Build ``Settings`` from a mapping of variables; raise SettingsError on bad values."""
    euid = os.geteuid() if euid is None else euid
    home = home or os.path.expanduser("~")
    hub_port = port(env, "KAGGLE_HUB_PORT")
    prefix = raw(env, "KAGGLE_HUB_PREFIX")
    try:
        naming.check_prefix(prefix)
    except ValueError as e:
        raise SettingsError(f"KAGGLE_HUB_PREFIX: {e}") from None
    ip = raw(env, "KAGGLE_HUB_IP")
    serving = serving_from_env(env, ip, hub_port, euid)
    swarm = swarm_from_env(env)
    settings = Settings(
        image=raw(env, "KAGGLE_HUB_IMAGE"),
        data_dir=Path(raw(env, "KAGGLE_HUB_DATA_DIR") or default_data_dir(euid, home)),
        ip=ip,
        port=hub_port,
        proxy_api_port=port(env, "KAGGLE_HUB_PROXY_API_PORT", derived_port(hub_port, 10000)),
        api_ip=raw(env, "KAGGLE_HUB_API_IP"),
        api_port=port(env, "KAGGLE_HUB_API_PORT", derived_port(hub_port, 20000)),
        network=raw(env, "KAGGLE_HUB_NETWORK"),
        network_internal=flag(env, "KAGGLE_HUB_NETWORK_INTERNAL"),
        prefix=prefix,
        shm_size=size(env, "KAGGLE_HUB_SHM_SIZE"),
        admins=names(env, "KAGGLE_HUB_ADMINS"),
        named_servers=count(env, "KAGGLE_HUB_NAMED_SERVERS"),
        config_d=Path(raw(env, "KAGGLE_HUB_CONFIG_D") or Path(config_dir) / "jupyterhub_config.d"),
        config_dir=Path(config_dir),
        auth=login.from_env(env, serving.public_url),
        serving=serving,
        swarm=swarm,
        backups=backups_from_env(env),
        team_name=raw(env, "KAGGLE_HUB_TEAM_NAME"),
        announcement=raw(env, "KAGGLE_HUB_ANNOUNCEMENT"),
        profiles=read_profiles(raw(env, "KAGGLE_HUB_PROFILES_FILE")),
        datasets_dir=raw(env, "KAGGLE_HUB_DATASETS_DIR"),
        kaggle_api=raw(env, "KAGGLE_HUB_KAGGLE_API").rstrip("/"),
        deleted_volumes=choice(env, "KAGGLE_HUB_DELETED_VOLUMES", ("quarantine", "remove")),
        cull_idle_seconds=count(env, "KAGGLE_HUB_CULL_IDLE_SECONDS"),
        concurrent_spawns=count(env, "KAGGLE_HUB_CONCURRENT_SPAWNS"),
        min_free_disk=size(env, "KAGGLE_HUB_MIN_FREE_DISK"),
        disk_quota=size(env, "KAGGLE_HUB_DISK_QUOTA"),
        quota_dir=raw(env, "KAGGLE_HUB_QUOTA_DIR"),
        gpus=gpu_ids(raw(env, "KAGGLE_HUB_GPUS")),
        gpus_per_user=count(env, "KAGGLE_HUB_GPUS_PER_USER"),
        team_folder=team_folder(env, swarm),
        team_read_only_group=raw(env, "KAGGLE_HUB_TEAM_READ_ONLY_GROUP"),
        sharing=flag(env, "KAGGLE_HUB_SHARING"),
        prepull=flag(env, "KAGGLE_HUB_PREPULL"),
        docker_wait_seconds=count(env, "KAGGLE_HUB_DOCKER_WAIT_SECONDS"),
        standby_max=standby_max(env),
        standby_hours=count(env, "KAGGLE_HUB_STANDBY_HOURS"),
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
