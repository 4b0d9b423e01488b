"""Login through a real OpenID Connect provider, found from its issuer URL alone."""

import pytest
import requests

from ..browser import oidc_login, screenshot, wait_for_lab
from ..hubprocess import UserServer
from ..waiting import wait_for

pytestmark = pytest.mark.e2e

HUB_ENV = {
    "KAGGLE_HUB_ADMINS": "ann",
    "KAGGLE_HUB_OIDC_GROUPS_CLAIM": "groups",
    "KAGGLE_HUB_ALLOWED_GROUPS": "team",
    "KAGGLE_HUB_ADMIN_GROUPS": "leads",
}
OIDC_GROUPS = {"gina": ["team"], "lena": ["leads"]}


def docker_objects(client, hub, user):
    """Names of the containers and volumes of ``user`` on ``hub``."""
    prefix = f"{hub.prefix}-{user}"
    names = [n.lstrip("/") for c in client.containers(all=True) for n in c["Names"]]
    names += [v["Name"] for v in client.volumes().get("Volumes") or []]
    return [n for n in names if n == prefix or n.startswith(prefix + "-")]


def test_allowed_user_lands_in_jupyterlab_in_their_container(oidc_hub, new_page, docker_client):
    page = new_page()
    callback = oidc_login(page, oidc_hub, "ann")
    assert callback.status == 302
    names = wait_for_lab(page, "ann")
    screenshot(page, "oidc-login-jupyterlab")
    assert {"code", "input"} <= names
    assert page.locator("#jp-main-dock-panel").is_visible()
    assert f"{oidc_hub.prefix}-ann" in docker_objects(docker_client, oidc_hub, "ann")


def test_user_not_allowed_gets_403_and_nothing_is_created(oidc_hub, new_page, docker_client):
    page = new_page()
    callback = oidc_login(page, oidc_hub, "mallory")
    assert callback.status == 403
    assert "403" in page.content()
    assert oidc_hub.api("GET", "/users/mallory").status_code == 404
    assert docker_objects(docker_client, oidc_hub, "mallory") == []
    screenshot(page, "login-refused")
    # A way out: log out and try another account.
    with page.expect_navigation():
        page.click("#kth-logout")
    assert page.get_by_role("heading", name="You are logged out").is_visible()
    with page.expect_navigation():
        page.click("#kth-login-again")
    assert page.get_by_text("Sign in with OpenID Connect").is_visible()


def test_admin_adds_and_deletes_a_user_on_the_admin_page(oidc_hub, new_page, docker_client):
    admin = new_page()
    assert oidc_login(admin, oidc_hub, "ann", "/hub/admin").status == 302
    admin.get_by_role("button", name="Add Users").click()
    admin.fill("[data-testid=user-textarea]", "dave")
    admin.get_by_role("button", name="Add Users").click()
    admin.get_by_test_id("user-row-dave").wait_for()

    dave = new_page()
    assert oidc_login(dave, oidc_hub, "dave").status == 302
    assert {"code", "input"} <= wait_for_lab(dave, "dave")
    token = oidc_hub.api("POST", "/users/dave/tokens", json={"note": "dave's"}).json()["token"]

    admin.goto(f"{oidc_hub.url}/hub/admin")
    admin.get_by_test_id("user-row-dave").get_by_role("button", name="Edit User").click()
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.get_by_role("button", name="Delete user").click()
    wait_for(lambda: oidc_hub.api("GET", "/users/dave").status_code == 404, 30, what="dave deleted")

    # Access ends at once: server stopped, tokens revoked, the session gone.
    assert f"{oidc_hub.prefix}-dave" not in docker_objects(docker_client, oidc_hub, "dave")
    as_dave = dave.request.get(
        f"{oidc_hub.url}/hub/api/user", headers={"Authorization": f"token {token}"}
    )
    assert as_dave.status == 403
    dave.goto(f"{oidc_hub.url}/user/dave/lab")
    assert "/hub/login" in dave.url
    assert oidc_login(new_page(), oidc_hub, "dave").status == 403


@pytest.mark.reliability
def test_a_user_gets_no_access_to_another_users_server(oidc_hub, new_page):
    ann = new_page()
    assert oidc_login(ann, oidc_hub, "ann").status == 302
    wait_for_lab(ann, "ann")
    token = oidc_hub.api("POST", "/users/ann/tokens", json={"note": "test"}).json()["token"]
    UserServer(oidc_hub, "ann", token).put_text("code/ann-private-notes.txt", "mine")

    oidc_hub.create_user("bob")
    bob = new_page()
    assert oidc_login(bob, oidc_hub, "bob", "/hub/home").status == 302
    lab = bob.goto(f"{oidc_hub.url}/user/ann/lab")
    assert lab.status == 403
    assert "ann-private-notes" not in bob.content()
    listing = bob.request.get(f"{oidc_hub.url}/user/ann/api/contents/code")
    assert listing.status == 403
    assert "ann-private-notes" not in listing.text()


def test_logout_ends_access_to_the_server_at_once(oidc_hub, new_page):
    page = new_page()
    assert oidc_login(page, oidc_hub, "ann").status == 302
    wait_for_lab(page, "ann")
    contents = f"{oidc_hub.url}/user/ann/api/contents"
    assert page.request.get(contents).status == 200
    # The server's own login cookie, as another tab or a copied cookie would still hold it.
    server_cookies = {c["name"]: c["value"] for c in page.context.cookies(contents)}
    assert requests.get(contents, cookies=server_cookies, timeout=30).status_code == 200

    page.goto(f"{oidc_hub.url}/hub/logout")
    assert page.request.get(contents).status == 403
    # The server trusts the hub's last answer for at most a second (not jupyter-server's 300).
    wait_for(
        lambda: requests.get(contents, cookies=server_cookies, timeout=30).status_code == 403,
        5,
        interval=0.5,
        what="the server refusing the logged-out session's cookie",
    )
    page.goto(f"{oidc_hub.url}/user/ann/lab")
    assert "/hub/login" in page.url
    assert page.get_by_text("Sign in with OpenID Connect").is_visible()


def test_a_recycled_login_name_cannot_take_over_an_account(oidc_hub, new_page):
    oidc_hub.create_user("carl")
    assert oidc_login(new_page(), oidc_hub, "carl", "/hub/home").status == 302

    impostor = new_page()
    callback = oidc_login(impostor, oidc_hub, "carl#2")
    assert callback.status == 403
    assert "belongs to another account" in impostor.content()


def test_provider_groups_allow_login_and_grant_admin(oidc_hub, new_page):
    assert oidc_login(new_page(), oidc_hub, "gina", "/hub/home").status == 302
    assert oidc_login(new_page(), oidc_hub, "lena", "/hub/home").status == 302
    assert oidc_hub.api("GET", "/users/gina").json()["admin"] is False
    assert oidc_hub.api("GET", "/users/lena").json()["admin"] is True


def test_secrets_stay_out_of_the_hub_log(oidc_hub, new_page):
    assert oidc_login(new_page(), oidc_hub, "ann").status == 302
    data = oidc_hub.workdir / "data"
    secrets = [
        oidc_hub.provider.client_secret,
        (data / "auth_state_crypt_key").read_text().strip(),
        (data / "jupyterhub_cookie_secret").read_text().strip(),
        (data / "proxy_auth_token").read_text().strip(),
    ]
    log = oidc_hub.log()
    assert "oauth_callback" in log
    assert [s for s in secrets if s in log] == []
    assert (data / "auth_state_crypt_key").stat().st_mode & 0o077 == 0
