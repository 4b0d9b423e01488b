"""Run inside a server's container (``python -c`` with this file's text), not by the hub:
the process that becomes ``jupyterhub-singleuser``, started in one of two modes (the first
argument; the rest are the server's command).

``serve``, a cold start, carries on as ``jupyterhub-singleuser`` at once. ``standby``
imports what ``jupyterhub-singleuser`` imports before it serves (JupyterLab, the server
extensions the image enables, JupyterHub's single-user code), then waits on a named pipe
in the container's own filesystem, holding no token. The hub wakes it by writing, with
``docker exec``, the values JupyterHub made for this start (the API token and the entries
that carry it) as JSON; the process adds them to its environment and carries on as
``jupyterhub-singleuser`` with the arguments it was given. Nothing is read from the
environment that changes between starts before the wake.

In both, jsonschema's checks of the ``iri`` and ``iri-reference`` formats are left out of
this process: from jsonschema 4.25 they come from rfc3987-syntax, which builds some 35
grammars as it is imported (jupyter-events imports jsonschema's format checks with the
server), 1.2 of the 2.6 CPU-seconds the server's imports take in the lite image. No schema
of the single-user stack has either format, and jsonschema passes a format it has no check
for. Kernels and terminals are processes of their own: a notebook's jsonschema keeps them.

Nor does the process load the hub's own web pages and database models, which
``jupyterhub.log`` imports with the single-user code: it takes the pages' health-check
handler for one ``isinstance`` test of the request being logged (no handler of a
single-user server is one, so a stand-in class answers the same), and ``jupyterhub.metrics``
takes the models for counts only the hub's process makes (they load on first use, should
anything use them). With SQLAlchemy's ORM and alembic behind them they were a quarter of
the server's imports in the lite image (0.25 of 0.9 CPU-seconds).
"""

import glob
import importlib
import importlib.util
import json
import os
import sys
import types

WAKE_PIPE = "/tmp/kaggle-team-hub/wake"
# The module whose import builds the grammars (None in sys.modules: "import" raises
# ImportError, which jsonschema takes as the checks' library being absent).
IRI_CHECKS = "rfc3987_syntax"
HUB_PAGES = "jupyterhub.handlers.pages"
HUB_MODELS = "jupyterhub.orm"


def enabled_extensions():
    """The server extensions enabled in the image's Jupyter config (``jpserver_extensions``
    in every ``jupyter_server_config.d/*.json`` and ``jupyter_server_config.json``)."""
    from jupyter_core.paths import jupyter_config_path

    found = set()
    for folder in jupyter_config_path():
        for path in glob.glob(os.path.join(folder, "jupyter_server_config.d", "*.json")) + [
            os.path.join(folder, "jupyter_server_config.json")
        ]:
            try:
                with open(path) as f:
                    config = json.load(f)
            except (OSError, ValueError):
                continue
            enabled = config.get("ServerApp", {}).get("jpserver_extensions", {})
            found.update(name for name, on in enabled.items() if on)
    return sorted(found)


def preload():
    import jupyter_server.serverapp  # noqa: F401
    import jupyterhub.singleuser  # noqa: F401

    for name in ["jupyterlab.labapp", "jupyterhub.singleuser.extension", *enabled_extensions()]:
        try:
            importlib.import_module(name)
        except Exception as e:
            print(f"kaggle-team-hub: standby could not preload {name}: {e}", file=sys.stderr)


def wait_for_wake():
    """The JSON the hub writes into the wake pipe."""
    os.makedirs(os.path.dirname(WAKE_PIPE), exist_ok=True)
    if os.path.exists(WAKE_PIPE):
        os.unlink(WAKE_PIPE)
    os.mkfifo(WAKE_PIPE, 0o600)
    print("kaggle-team-hub: standby ready", flush=True)
    with open(WAKE_PIPE) as pipe:
        wake = json.load(pipe)
    os.unlink(WAKE_PIPE)
    return wake


def leave_out_the_hubs_pages_and_models():
    pages = types.ModuleType(HUB_PAGES)
    pages.HealthCheckHandler = type("HealthCheckHandler", (), {})
    sys.modules.setdefault(HUB_PAGES, pages)
    if HUB_MODELS in sys.modules:
        return
    import jupyterhub

    spec = importlib.util.find_spec(HUB_MODELS)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    models = importlib.util.module_from_spec(spec)
    sys.modules[HUB_MODELS] = models
    # On the package too: "from . import orm" then takes it as it is, without the import
    # machinery's look at the module (which would load it).
    jupyterhub.orm = models
    spec.loader.exec_module(models)


def run(mode):
    sys.modules.setdefault(IRI_CHECKS, None)
    leave_out_the_hubs_pages_and_models()
    if mode == "standby":
        preload()
        wake = wait_for_wake()
        os.environ.update(wake["env"])
        print("kaggle-team-hub: standby woken", flush=True)
    from jupyterhub.singleuser import main

    sys.argv = sys.argv[2:]
    sys.exit(main())


if __name__ == "__main__":
    run(sys.argv[1])
