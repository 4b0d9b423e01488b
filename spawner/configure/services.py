"""The hub's services and roles: the idle culler, the backup schedule, the metrics reader,
and what members may do (their secrets, sharing)."""

import os
import shutil
import sys

from ..hub import services
from ..kaggle import handlers as kaggle


def configure(c, s, hub_state):
    """Set the services the hub runs or admits, and the roles they and members hold."""
    setpriv = shutil.which("setpriv")
    # Idle servers are stopped by jupyterhub-idle-culler, with a role that can do only that.
    services.let_services_stop()
    c.JupyterHub.services, c.JupyterHub.load_roles = services.idle_culler(
        s.cull_idle_seconds, sys.executable, setpriv
    )
    c.KaggleSpawner.activity_interval = services.activity_interval(s.cull_idle_seconds)
    # Backup sets are written on schedule by a service of the hub's (KAGGLE_HUB_BACKUP_DIR).
    c.JupyterHub.services += services.backup_schedule(
        s.backups.scheduled, sys.executable, s.config_dir, os.environ, setpriv
    )
    # Prometheus reads /hub/metrics with the token in the data dir's metrics_token.
    metrics_service, metrics_role = services.metrics_reader(hub_state.metrics_token)
    c.JupyterHub.services.append(metrics_service)
    c.JupyterHub.load_roles.append(metrics_role)
    # Secrets need a scope of their own: users hold it for themselves, their servers'
    # tokens for their owner. Members share a running server with a teammate unless
    # KAGGLE_HUB_SHARING=0.
    c.JupyterHub.custom_scopes, user_role, c.Spawner.server_token_scopes = kaggle.secrets_scopes()
    c.JupyterHub.load_roles.append(services.user_scopes(user_role, s.sharing))
