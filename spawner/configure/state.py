"""The hub's state: one owner-only data directory, its database and secrets."""

import sqlite3

from ..errors import SetupError
from ..hub import datadir, dbfaults, routes


def configure(c, s):
    """Prepare the data dir (secrets generated once and reused) and point JupyterHub at
    it; return the prepared state. A data dir the hub cannot write (a full disk, a
    read-only mount, a database another program holds) stops the start with one line that
    says so; once running, the hub answers 503 with the cause instead of taking everyone
    for logged out."""
    try:
        hub_state = datadir.prepare(s.data_dir, s.admins)
    except (OSError, sqlite3.Error) as e:
        raise SetupError(dbfaults.unusable_message(e, s.data_dir)) from None
    if routes.in_running_hub():
        dbfaults.install(s.data_dir)
    c.JupyterHub.db_url = hub_state.db_url
    c.JupyterHub.cookie_secret_file = hub_state.cookie_secret_file
    c.JupyterHub.pid_file = hub_state.hub_pid_file
    return hub_state
