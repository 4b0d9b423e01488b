"""Users' servers at addresses of their own (KAGGLE_HUB_USER_SUBDOMAINS=1): script running
in one user's server cannot read another's, even in the browser of an admin who may open
both. On one shared address it can: the risk the README states."""

import secrets
from types import SimpleNamespace

import pytest

from ..browser import native_login, native_signup, screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.reliability]

SECRET = "bob's private notes"

# What a script in ann's server does with whatever the browser holds: open bob's
# JupyterLab in a window (JupyterHub's pages refuse frames), take its XSRF token
# (JupyterHub refuses a script's request without one), and read bob's file with it.
READ_BOBS_FILE = """async ([url, labUrl]) => {
    try {
        const other = window.open(labUrl);
        const path = new URL(labUrl).pathname;
        let xsrf = null;
        for (let i = 0; i < 300 && !xsrf; i++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            // Reading another origin's window throws: the attempt ends there.
            const there = other.location.pathname.startsWith(path);
            const found = other.document.cookie.match(/_xsrf=([^;]+)/);
            xsrf = there && other.document.readyState === "complete" && found && found[1];
        }
        other.close();
        const r = await fetch(url, {credentials: "include", headers: {"X-XSRFToken": xsrf}});
        return "read " + r.status + ": " + await r.text();
    } catch (e) {
        return "blocked: " + e;
    }
}"""


def server_url(browser_hub, user, subdomains):
    """Where ``user``'s server is, as a browser opens it."""
    if subdomains:
        return f"http://{user}.localhost:{browser_hub.port}/user/{user}/"
    return f"{browser_hub.url}/user/{user}/"


def open_server(page, url):
    """Open ``url`` on a user's server as the page's (admin) user, granting the access
    JupyterHub asks an admin to confirm for another user's server."""
    page.goto(url)
    if "/oauth2/authorize" in page.url:
        page.get_by_role("button", name="Authorize").click()
        page.wait_for_load_state()


@pytest.mark.parametrize("subdomains", [True, False], ids=["own-addresses", "one-address"])
def test_a_script_in_one_users_server_cannot_read_anothers(
    make_hub, new_page, docker_client, subdomains
):
    hub = make_hub(start=False, env={"KAGGLE_HUB_ADMINS": "ada"})
    browser_hub = SimpleNamespace(port=hub.port, url=f"http://localhost:{hub.port}")
    hub.env["KAGGLE_HUB_PUBLIC_URL"] = browser_hub.url
    if subdomains:
        hub.env["KAGGLE_HUB_USER_SUBDOMAINS"] = "1"
    hub.start()
    for user in ("ann", "bob"):
        hub.create_user(user)
        hub.start_server(user)
    write = docker_client.exec_create(
        f"{hub.prefix}-bob", ["sh", "-c", f'echo "{SECRET}" > /tmp/working/code/secret.txt']
    )
    docker_client.exec_start(write["Id"])

    # An admin, who may open every server, has opened bob's and ann's.
    page = new_page()
    password = secrets.token_urlsafe(12)
    native_signup(page, browser_hub, "ada", password)
    assert native_login(page, browser_hub, "ada", password).status == 302
    bobs_file = server_url(browser_hub, "bob", subdomains) + "files/code/secret.txt"
    open_server(page, bobs_file)
    assert SECRET in page.content()
    open_server(page, server_url(browser_hub, "ann", subdomains) + "lab")
    page.wait_for_selector(".jp-DirListing-item", timeout=60_000)
    assert page.url.startswith(server_url(browser_hub, "ann", subdomains) + "lab")
    screenshot(page, f"subdomains-{'on' if subdomains else 'off'}-ann-lab")

    # A script in ann's JupyterLab (a notebook's output, an extension she installed).
    result = page.evaluate(READ_BOBS_FILE, [bobs_file, server_url(browser_hub, "bob", subdomains)])
    if subdomains:
        assert result.startswith("blocked: "), result
        assert SECRET not in result
    else:
        assert result.startswith("read 200: "), result
        assert SECRET in result
