"""The hub's own pages and APIs, mounted into JupyterHub's web application whatever the
authenticator: Kaggle's APIs for users' servers, the Secrets page and API, and the REST
handlers that replace JupyterHub's own (``spawner.accounts.rest``).

JupyterHub builds its list of handlers once, as it starts (``JupyterHub.handlers``), with
its users loaded. Ours are put at its head the moment it is set, so they come before
JupyterHub's and the authenticator's own, and are served from the first request on. At
the same moment, secrets of names that are no user any more (deleted by an older release,
which left them) are removed, so a new account of that name starts with none.
"""

from jupyterhub import orm

from ..accounts import rest
from ..kaggle import handlers as kaggle

HANDLERS = [*rest.HANDLERS, *kaggle.HANDLERS]


def mount(app, handlers=HANDLERS):
    """Serve ``handlers`` (paths under the hub's prefix, e.g. ``/api/secrets``) ahead of
    JupyterHub's own, once ``app`` (the running JupyterHub) builds its list."""

    def put_first(change):
        change.new[:0] = app.add_url_prefix(app.hub_prefix, list(handlers))
        forget_secrets_of_departed(app)

    app.observe(put_first, names="handlers")


def in_running_hub():
    """Whether a JupyterHub is loading this configuration (not a test or ``kaggle-hub``
    that only reads it)."""
    from jupyterhub.app import JupyterHub

    return JupyterHub.initialized()


def mount_in_running_hub(handlers=HANDLERS):
    """``mount`` into the JupyterHub loading this configuration, if there is one."""
    from jupyterhub.app import JupyterHub

    if in_running_hub():
        mount(JupyterHub.instance(), handlers)


def when_serving(*callbacks):
    """Call each of ``callbacks`` once the JupyterHub loading this configuration builds its
    web application: in a hub that will serve users, not in ``jupyterhub upgrade-db`` or
    another command that only reads the configuration (where background work started at
    load was destroyed unfinished). True if there is such a hub."""
    from jupyterhub.app import JupyterHub

    if not JupyterHub.initialized():
        return False

    def run(change):
        for callback in callbacks:
            callback()

    JupyterHub.instance().observe(run, names="handlers")
    return True


def forget_secrets_of_departed(app):
    """Remove the secrets of names that are no user of ``app`` any more."""
    names = [name for (name,) in app.db.query(orm.User.name)]
    gone = kaggle.store_from(app.tornado_settings).keep_only(names)
    if gone:
        app.log.warning("Removed the secrets of %d users deleted before this release", gone)
