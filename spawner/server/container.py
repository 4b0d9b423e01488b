"""Container command, environment and host settings for a user's server, as plain values."""

from pathlib import Path

from . import layout
from .naming import LABEL_PREFIX

SINGLEUSER = "jupyterhub-singleuser"
# Docker's 64 MB /dev/shm breaks PyTorch DataLoader workers.
SHM_SIZE = "2g"
STARTUP_NAME = "kaggle-team-hub-start"
# The default command runs as the in-server program (``in_server/singleuser.py``), with the
# interpreter of ``jupyterhub-singleuser``'s own script (its "#!"), in one of its modes.
IN_SERVER = (Path(__file__).with_name("in_server") / "singleuser.py").read_text()
LAUNCHER = (
    'code=$1; shift; script=$(command -v "$2") || '
    '{ echo "kaggle-team-hub: $2 is not in the image" >&2; exit 127; }; '
    'exec $(sed -n "1s/^#!//p" "$script") -c "$code" "$@"'
)
LAUNCHER_NAME = "kaggle-team-hub-launch"
SERVE = "serve"
# Which hub and which server a container belongs to, whatever its (possibly shortened) name.
LABEL_SERVER_NAME = "org.kaggle-team-hub.server-name"

# Safe defaults for every server (c.DockerSpawner.extra_host_config overrides them):
# Docker's default capabilities less those a notebook server never needs (NET_RAW forges
# packets on the user network), no gaining privileges through setuid files, a bound on
# processes (a fork bomb stops there), and the kernel's out-of-memory killer picking a
# user's server before the hub.
CAP_DROP = ["NET_RAW", "MKNOD", "AUDIT_WRITE", "SYS_CHROOT", "SETFCAP"]
PIDS_LIMIT = 4096
OOM_SCORE_ADJ = 500
# A server whose profile sets no memory limit gets this share of the machine's memory.
DEFAULT_MEMORY_SHARE = 0.75


def safety_host_config():
    return {
        "cap_drop": list(CAP_DROP),
        "security_opt": ["no-new-privileges:true"],
        "pids_limit": PIDS_LIMIT,
        "oom_score_adj": OOM_SCORE_ADJ,
    }


def labels(prefix, server_base_name):
    """The labels of a server's container: the hub's prefix and the server's full escaped
    name (``naming.server_base_name``). Escaped names hold no braces, so DockerSpawner's
    templating of create arguments leaves them as they are."""
    return {LABEL_PREFIX: prefix, LABEL_SERVER_NAME: server_base_name}


def default_memory_limit(machine_memory):
    """The memory limit of a server whose profile sets none, in bytes."""
    return int(machine_memory * DEFAULT_MEMORY_SHARE)


def command(server_cmd, server_args):
    """The container command: lay out the volume, then exec the single-user server.

    The Kaggle image's entrypoint is ``/usr/bin/env`` with no CMD, so the command is always
    given in full. The image runs as root, which jupyter-server refuses without
    ``--allow-root``. The default ``jupyterhub-singleuser`` runs through the in-server
    program (``launched``); an admin's own ``cmd`` runs as it is.
    """
    server = launched(SERVE, server_cmd) if server_cmd == [SINGLEUSER] else server_cmd
    return [
        "/bin/sh",
        "-c",
        layout.startup_script(),
        STARTUP_NAME,
        *server,
        "--allow-root",
        *server_args,
    ]


def launched(mode, server_cmd):
    """``server_cmd`` run as the in-server program in ``mode``."""
    return ["/bin/sh", "-c", LAUNCHER, LAUNCHER_NAME, IN_SERVER, mode, *server_cmd]


def server_args(cache_seconds):
    """Single-user server arguments: how long it caches the hub's answer about a login, and
    deleting files for good. jupyter-server's trash would be a hidden folder in the working
    volume itself: deleting files to make room on a full volume would free nothing."""
    return [
        f"--HubOAuth.cache_max_age={int(cache_seconds)}",
        "--FileContentsManager.delete_to_trash=False",
    ]


def environment(extra=None):
    """Environment added to the hub's own for the server (credentials, lab settings)."""
    env = layout.persistent_env()
    env.update(extra or {})
    return env


# Under the hub's URL: where servers' kagglehub and kaggle_secrets send Kaggle's requests.
KAGGLE_API_PATH = "kaggle"
# kagglehub wants a data proxy token as on Kaggle; the hub reads the API token instead.
DATA_PROXY_TOKEN = "kaggle-team-hub"


def kaggle_environment(hub_api_url, api_token):
    """What kagglehub and kaggle_secrets read inside a Kaggle notebook, pointing at the hub
    (``hub_api_url`` is the server's ``JUPYTERHUB_API_URL``, ending in ``/api``)."""
    base = f"{hub_api_url.rstrip('/').removesuffix('/api')}/{KAGGLE_API_PATH}"
    return {
        "KAGGLE_KERNEL_RUN_TYPE": "Interactive",
        "KAGGLE_URL_BASE": base,
        "KAGGLE_DATA_PROXY_URL": base,
        "KAGGLE_DATA_PROXY_TOKEN": DATA_PROXY_TOKEN,
        "KAGGLE_USER_SECRETS_TOKEN": api_token,
    }


def work_volume_bind(volume):
    """The ``volumes`` entry that mounts a user's working volume."""
    return {volume: {"bind": layout.WORK_DIR, "mode": "rw"}}
