"""The hub's page templates, rendered as JupyterHub renders them (ours first, JupyterHub's
own under ``templates/``)."""

import http.client
from pathlib import Path

import pytest
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader
from jupyterhub._data import DATA_FILES_PATH
from tornado import web

from spawner.errors import LoginRefused, SpawnError
from spawner.hub.services import TEMPLATES

JUPYTERHUB_TEMPLATES = Path(DATA_FILES_PATH) / "templates"


@pytest.fixture
def render():
    share = JUPYTERHUB_TEMPLATES
    loader = ChoiceLoader(
        [
            PrefixLoader({"templates": FileSystemLoader([str(share)])}, "/"),
            FileSystemLoader([TEMPLATES, str(share)]),
        ]
    )
    env = Environment(loader=loader, autoescape=True)

    def render(name, **ns):
        base = {"base_url": "/hub/", "static_url": lambda path, **kwargs: path, "user": None}
        base.update(product_name="Kaggle Team Hub", team_name="Churn", native_accounts=True)
        base.update(http_phrases=http.client.responses)
        return env.get_template(name).render(**base, **ns)

    return render


def error_page(render, exception, status_code, status_message):
    return render(
        "error.html",
        exception=exception,
        status_code=status_code,
        status_message=status_message,
        message=getattr(exception, "jupyterhub_message", ""),
    )


def test_a_failure_someone_can_act_on_reads_as_such(render):
    page = error_page(
        render, SpawnError("The image 'x' is not on this machine."), 500, "Internal Server Error"
    )
    assert '<h1 class="h2">Your server could not start</h1>' in page
    assert "Internal Server Error" not in page
    assert "The image &#39;x&#39; is not on this machine." in page
    assert "<title>Kaggle Team Hub · Churn</title>" in page


def test_a_refused_login_offers_to_log_out(render):
    page = error_page(render, LoginRefused("Ask an admin."), 403, "Forbidden")
    assert '<h1 class="h2">This login was refused</h1>' in page
    assert 'href="/hub/logout"' in page
    other = error_page(render, web.HTTPError(403), 403, "Forbidden")
    assert '<h1 class="h2">403: Forbidden</h1>' in other
    assert 'href="/hub/logout"' in other


def test_other_errors_keep_the_status(render):
    page = error_page(render, web.HTTPError(404), 404, "Not Found")
    assert '<h1 class="h2">404: Not Found</h1>' in page
    assert 'href="/hub/logout"' not in page


def test_a_refusal_is_headed_by_its_status_whatever_jupyterhub_passes(render):
    # JupyterHub 6 passes an HTTPError's message as the status message too.
    message = "Action is not authorized with current scopes; requires any of [admin-ui]"
    page = render(
        "error.html",
        exception=web.HTTPError(403, message),
        status_code=403,
        status_message=message,
        message=message,
    )
    assert '<h1 class="h2">403: Forbidden</h1>' in page
    assert "This page is for the hub's admins." in page
