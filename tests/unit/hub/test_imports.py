"""What starting the hub imports: a hub restart is an outage for every member."""

from ..imported import modules_after


def test_importing_jupyterhub_builds_no_iri_grammars():
    # rfc3987-syntax builds ~35 parsers as it is imported (1.7 CPU-s, more than the rest
    # of JupyterHub's imports); pyproject.toml keeps jsonschema below the release that
    # imports it with its format checkers.
    loaded = modules_after("import jupyterhub.app")
    assert "jupyter_events" in loaded
    assert "rfc3987_syntax" not in loaded
