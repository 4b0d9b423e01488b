"""What the hub's pages show beyond JupyterHub's own."""

import functools
import html
import http.client

from ..hub import backupstatus, gpuholders, quotause, services, standbys, teamfiles
from ..login import approval
from ..server import deaths, hangs, usage
from ..sizes import parse_size


def configure(c, s):
    """Set the pages' templates and names; return the template variables (drop-ins add to
    them, ``configure``). The pages carry the product's and the team's name and tell a
    user why their server died or that it stopped answering (admins see every user's) and
    what their files take on the disk; admins see how the scheduled backups went, who holds
    which GPU and which standbys wait; with the built-in login, an admin sees how many
    sign-ups wait for approval."""
    native = s.auth.mode == "native"
    c.JupyterHub.template_paths = [services.TEMPLATES]
    template_vars = {
        "product_name": "Kaggle Team Hub",
        # An error page's heading is the status's own phrase ("403: Forbidden"); JupyterHub
        # 6 passes the error's whole message as the status message instead.
        "http_phrases": http.client.responses,
        "team_name": s.team_name,
        "native_accounts": native,
        "pending_signups": approval.pending_signups if native else 0,
        "deleted_volumes": s.deleted_volumes,
        "server_stops": deaths.stop_reasons,
        "server_hangs": hangs.hung_servers,
        "volume_use": functools.partial(usage.volume_use, s.prefix),
        "team_files": functools.partial(teamfiles.for_members, s.prefix, s.team_folder),
        "sharing": s.sharing,
        "backup_status": functools.partial(backupstatus.for_admins, s.data_dir, s.backups),
        "quota_use": functools.partial(quotause.for_admins, s.prefix, parse_size(s.disk_quota)),
        # On one machine; a swarm's scheduler places GPUs on its nodes.
        "gpu_holders": None
        if s.swarm.on_swarm
        else functools.partial(gpuholders.for_admins, s.prefix, s.gpus),
        # Standbys are containers on one machine; a swarm starts every server cold.
        "standbys": None
        if s.swarm.on_swarm or s.standby_max == 0
        else functools.partial(standbys.for_admins, s.prefix),
        # JupyterHub shows it on every page as markup: the setting is plain text.
        **({"announcement": html.escape(s.announcement)} if s.announcement else {}),
    }
    c.JupyterHub.template_vars = dict(template_vars)
    return template_vars
