"""What a server's process imports: the in-server program leaves jsonschema's IRI grammars
and the hub's own pages and database models out, cold and as a standby, in the image the
servers run."""

import pytest

from spawner.server import container, standby

from ..waiting import wait_for

pytestmark = pytest.mark.docker

# Python lists every import on stderr, one "import time: ... | <module>" line each.
IMPORT_LOG = {"PYTHONPROFILEIMPORTTIME": "1"}


# The module that builds the grammars, with lark, the parser it builds them with. (The
# blocked "rfc3987_syntax" itself is listed either way: its import is tried, and refused.)
GRAMMARS = "rfc3987_syntax.syntax_helpers"


# What the hub's pages and models bring: its request handlers, SQLAlchemy's ORM, alembic.
HUB_SIDE = {"jupyterhub.handlers.base", "sqlalchemy.orm", "alembic"}


def imported(log):
    return {line.rsplit("|", 1)[1].strip() for line in log.splitlines() if "|" in line}


def grammars(modules):
    return {m for m in modules if m == GRAMMARS or m == "lark" or m.startswith("lark.")}


def run(docker_client, image, command, until=None):
    """The modules a container of ``image`` running ``command`` imported: once it exits,
    or once its log holds ``until``."""
    created = docker_client.create_container(
        image, command, environment=IMPORT_LOG, network_disabled=True
    )
    try:
        docker_client.start(created)
        if until:
            wait_for(lambda: until in docker_client.logs(created).decode(), 60, what=until)
        else:
            assert docker_client.wait(created, timeout=60)["StatusCode"] == 0
        return imported(docker_client.logs(created, stdout=False).decode())
    finally:
        docker_client.remove_container(created, force=True)


def test_the_images_server_alone_builds_the_iri_grammars(docker_client, image):
    modules = run(docker_client, image, [container.SINGLEUSER, "--help"])
    assert {"jupyter_events.logger", "jsonschema._format", GRAMMARS, "lark"} <= modules
    assert HUB_SIDE <= modules


def test_a_cold_server_imports_jsonschemas_format_checks_without_the_iri_grammars(
    docker_client, image
):
    command = [*container.launched(container.SERVE, [container.SINGLEUSER]), "--help"]
    modules = run(docker_client, image, command)
    assert {"jupyter_events.logger", "jsonschema._format", "jupyterhub.log"} <= modules
    assert not grammars(modules)
    assert not HUB_SIDE & modules


def test_a_standby_preloads_the_server_without_the_iri_grammars(docker_client, image):
    command = container.launched(standby.WAIT, [container.SINGLEUSER])
    modules = run(docker_client, image, command, until="standby ready")
    assert {"jupyterlab.handlers", "jupyter_events.logger", "jsonschema._format"} <= modules
    assert "jupyterhub.log" in modules
    assert not grammars(modules)
    assert not HUB_SIDE & modules
