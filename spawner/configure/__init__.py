"""The hub's configuration: ``configure(c, settings)`` is all ``jupyterhub_config.py`` does.

Each step sets one part of JupyterHub's config from the settings, in the order the parts
depend on each other; site drop-ins (``jupyterhub_config.d``) come last and override any
of it. Four steps do I/O, each because JupyterHub reads its result before it serves:
``state`` (the data dir: secrets and the database must exist for the hub to open them),
``web`` (the TLS certificate: the proxy serves it from its first request), ``hubapi``
(Docker answering, and the user network's gateway with its fence: the hub binds its API
there) and ``login`` (OpenID Connect discovery: the login handlers need the endpoints).
The rest, the pre-pull, the sweep of servers no hub record knows and the watch for hung
servers (``background``), starts only in a hub that serves users, once it runs.
"""

import warnings

from ..hub import routes
from ..hub.dropins import apply_dropins
from . import background, hubapi, login, pages, servers, services, state, web


def configure(c, s):
    """Set JupyterHub's config ``c`` from the hub's settings ``s``; raise SettingsError,
    SetupError or DockerUnreachable, each with a message an admin acts on, when the hub
    cannot start as configured."""
    # jupyter_events warns at every start that JupyterHub 5.5's own event schema gives its
    # version as a number: noise for an admin, who can change nothing about it.
    warnings.filterwarnings("ignore", message="The `version` property of an event schema")
    hub_state = state.configure(c, s)
    web.configure(c, s, hub_state)
    hubapi.configure(c, s)
    servers.configure(c, s)
    services.configure(c, s, hub_state)
    template_vars = pages.configure(c, s)
    login.configure(c, s, hub_state)

    apply_dropins(c, s.config_d)
    # A drop-in that sets JupyterHub's template_vars as its docs show (a new dict, e.g. for
    # an announcement) adds to the hub's own names, links and messages instead of removing
    # them.
    c.JupyterHub.template_vars = {**template_vars, **c.JupyterHub.template_vars}

    # Only in a hub that serves users, not in `jupyterhub upgrade-db`.
    routes.when_serving(lambda: background.start(c, s))
