"""Users' servers at addresses of their own (KAGGLE_HUB_USER_SUBDOMAINS=1): script running
in one user's server cannot read another's, even in the browser of an admin who may open
both. On one shared address it can: the risk the docs state (docs/explanation/security.md)."""

import secrets
from types import SimpleNamespace

import pytest

from ..browser import (
    LOOPBACK_NAME,
    loopback_name_args,
    native_login,
    native_signup,
    screenshot,
    trust_args,
)

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
    browser_hub.admin_code = hub.admin_code
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
    assert native_login(page, browser_hub, "ada", password, "/hub/home").status == 302
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


# What a script in bob's server does to a visitor's browser: toss bob's own hub login
# cookie onto the hub's host (hub.test, which bob.hub.test may set cookies for), hoping
# the hub reads it instead of the visitor's.
TOSS = """([name, value]) => {
    document.cookie = `${name}=${value}; Domain=hub.test; Path=/hub/; Secure; SameSite=Lax`;
    document.cookie = `__Host-${name}=${value}; Domain=hub.test; Path=/; Secure`;
    return document.cookie;
}"""


def test_a_cookie_tossed_from_a_users_address_does_not_log_an_admin_in_as_that_user(
    make_hub, new_page
):
    hub = make_hub(start=False, env={"KAGGLE_HUB_ADMINS": "ada"})
    browser_hub = SimpleNamespace(port=hub.port, url=f"https://{LOOPBACK_NAME}:{hub.port}")
    hub.env.update(
        {
            "KAGGLE_HUB_PUBLIC_URL": browser_hub.url,
            "KAGGLE_HUB_USER_SUBDOMAINS": "1",
            "KAGGLE_HUB_TLS": "self-signed",
        }
    )
    hub.verify = False  # the harness reaches the hub as 127.0.0.1, not by its name
    hub.start()
    browser_hub.admin_code = hub.admin_code
    trust = trust_args((hub.workdir / "data/tls/ca.pem").read_bytes()) + loopback_name_args()
    hub.create_user("bob")
    hub.start_server("bob")

    # bob logs in in his own browser and takes his hub login cookie's value.
    bob = new_page(trust)
    native_signup(bob, browser_hub, "bob", "bobs-password-1")
    assert native_login(bob, browser_hub, "bob", "bobs-password-1", "/hub/home").status == 302
    (bobs,) = [c for c in bob.context.cookies() if c["name"].endswith("jupyterhub-hub-login")]

    # The admin opens bob's server; a script there tosses bob's cookie.
    ada = new_page(trust)
    native_signup(ada, browser_hub, "ada", "adas-password-1")
    assert native_login(ada, browser_hub, "ada", "adas-password-1", "/hub/home").status == 302
    open_server(ada, f"https://bob.{LOOPBACK_NAME}:{hub.port}/user/bob/api/status")
    assert ada.url.startswith(f"https://bob.{LOOPBACK_NAME}:")
    ada.evaluate(TOSS, ["jupyterhub-hub-login", bobs["value"]])

    ada.goto(f"{browser_hub.url}/hub/api/user")
    assert '"name": "ada"' in ada.content().replace('":"', '": "'), ada.content()
    screenshot(ada, "subdomains-after-cookie-toss")
