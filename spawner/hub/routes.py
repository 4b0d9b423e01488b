"""The hub's own pages and APIs, mounted into JupyterHub's web application whatever the
authenticator: Kaggle's APIs for users' servers, the Secrets page and API, and the REST
handlers that replace JupyterHub's own (``spawner.accounts.rest``).

JupyterHub builds its list of handlers once, as it starts (``JupyterHub.handlers``). Ours
are put at its head the moment it is set, so they come before JupyterHub's and the
authenticator's own, and are served from the first request on.
"""

from ..accounts import rest
from ..kaggle import handlers as kaggle

HANDLERS = [*rest.HANDLERS, *kaggle.HANDLERS]


def mount(app, handlers=HANDLERS):
    """Serve ``handlers`` (paths under the hub's prefix, e.g. ``/api/secrets``) ahead of
    JupyterHub's own, once ``app`` (the running JupyterHub) builds its list."""

    def put_first(change):
        change.new[:0] = app.add_url_prefix(app.hub_prefix, list(handlers))

    app.observe(put_first, names="handlers")


def mount_in_running_hub(handlers=HANDLERS):
    """``mount`` into the JupyterHub loading this configuration; True if there is one (not
    when a test or ``kaggle-hub`` only reads the configuration)."""
    from jupyterhub.app import JupyterHub

    if not JupyterHub.initialized():
        return False
    mount(JupyterHub.instance(), handlers)
    return True
