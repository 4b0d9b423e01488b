"""Hub-managed services, the hub's own pages and its cookies, as plain config values."""

import signal
from pathlib import Path

from jupyterhub.log import log_request

# Templates that put the product's and the team's name on every page.
TEMPLATES = str(Path(__file__).resolve().parent / "templates")

CULLER = "idle-culler"
# Exactly what jupyterhub-idle-culler needs to find idle servers and stop them.
CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]


def _dies_with_hub(setpriv):
    """The command prefix that stops a service when the hub dies, however it dies (a hub
    killed outright otherwise leaves it running): util-linux's ``setpriv``, if there."""
    return [setpriv, "--pdeathsig", "TERM"] if setpriv else []


def idle_culler(timeout, python, setpriv=None):
    """The culler's service and role for ``timeout`` seconds of idleness (none for 0),
    stopped with the hub (``_dies_with_hub``): a culler left behind polls a hub that is gone.
    """
    if timeout <= 0:
        return [], []
    service = {
        "name": CULLER,
        "command": [
            *_dies_with_hub(setpriv),
            python,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={timeout}",
            f"--cull-every={max(1, min(timeout // 2, 300))}",
        ],
    }
    role = {"name": CULLER, "scopes": list(CULLER_SCOPES), "services": [CULLER]}
    return [service], [role]


BACKUPS = "backups"
# What the backup schedule needs of the hub's environment: its settings, Docker's address,
# and the time zone its times of day are in.
BACKUP_ENVIRONMENT = ("KAGGLE_HUB_", "DOCKER_", "TZ")


def backup_schedule(scheduled, python, config_dir, environ, setpriv=None):
    """The service that writes backup sets on schedule (none when backups are not
    scheduled); stopped with the hub, like the culler."""
    if not scheduled:
        return []
    service = {
        "name": BACKUPS,
        "command": [
            *_dies_with_hub(setpriv),
            python,
            "-m",
            "spawner.admin.schedule",
            "--config-dir",
            str(config_dir),
        ],
        "environment": {k: v for k, v in environ.items() if k.startswith(BACKUP_ENVIRONMENT)},
    }
    return [service]


def activity_interval(timeout):
    """Seconds between a server's reports of its users' activity to the hub, for a culler
    ``timeout``: JupyterHub's 300 s, or a third of the timeout when that is shorter, so an
    active user is never older than the timeout in the hub's eyes (a 300 s report under a
    shorter timeout got busy servers culled)."""
    if timeout <= 0:
        return 300
    return max(1, min(300, timeout // 3))


# What a member needs to share their servers (JupyterHub's sharing) with a teammate or a
# group named in the form: granting shares of their own servers, and looking the teammate
# or the group up by name.
SHARING_SCOPES = ["shares!user", "read:users:name", "read:groups:name"]


def user_scopes(user_role, sharing):
    """The members' role, with what sharing needs when it is on."""
    return {**user_role, "scopes": [*user_role["scopes"], *(SHARING_SCOPES if sharing else [])]}


METRICS = "metrics"


def metrics_reader(token):
    """A service whose token reads ``/hub/metrics`` (Prometheus) and nothing else."""
    service = {"name": METRICS, "api_token": token}
    role = {"name": METRICS, "scopes": ["read:metrics"], "services": [METRICS]}
    return service, role


def tornado_settings(public_url):
    """The hub's web settings: every cookie SameSite=Lax (and Secure under HTTPS), and
    every page with ``X-Content-Type-Options: nosniff`` whatever the TLS mode."""
    cookies = {"samesite": "Lax"}
    if public_url.startswith("https://"):
        cookies["secure"] = True
    return {"cookie_options": cookies, "headers": {"X-Content-Type-Options": "nosniff"}}


# The hub's tornado settings key for the peers whose forwarded address is believed.
TRUSTED_PEERS = "kaggle_team_hub_trusted_peers"


def true_address(request, trusted_peers):
    """The client's address: the peer's own, unless the peer is one of ``trusted_peers``
    (the proxy and the hub's services, on this machine), which forward the client's.

    Tornado takes X-Real-Ip and X-Forwarded-For from every peer, so a user's code calling
    the hub API directly could name any address; only the proxy's are believed here.
    """
    peer = getattr(request.connection.context, "address", None)
    if isinstance(peer, tuple) and peer and peer[0] not in trusted_peers:
        return peer[0]
    return request.remote_ip


def request_log(trusted_peers):
    """JupyterHub's request log, naming each request's true address (``true_address``)."""

    def log(handler):
        handler.request.remote_ip = true_address(handler.request, trusted_peers)
        log_request(handler)

    return log


def let_services_stop():
    """Undo an inherited "ignore SIGINT" (a hub started in the background by a shell), which
    the hub's services would inherit: JupyterHub stops a service with SIGINT, and waits 10 s
    on one that ignores it before it sends SIGTERM."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)
