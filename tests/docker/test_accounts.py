"""Who is an admin and who has access, across restarts and deletions of a real hub."""

from urllib.parse import urlsplit

import pytest
import requests

from spawner.hub import datadir
from spawner.kaggle.secrets import SecretStore

from ..hubprocess import UserServer
from ..kagglenotebook import put_secret

pytestmark = pytest.mark.docker


def is_admin(hub, name):
    return hub.api("GET", f"/users/{name}").json()["admin"]


# Only an admin may make admins: the test service stands in for one on the admin page.
ADMIN_SERVICE = {
    "10-admin.py": 'c.JupyterHub.load_roles.append({"name": "admin", "services": ["tester"]})\n'
}


def test_a_name_removed_from_the_admins_setting_loses_admin_at_next_start(make_hub):
    hub = make_hub(env={"KAGGLE_HUB_ADMINS": "ann,bob"})
    hub.create_user("cat")
    # ann makes cat an admin, as on the admin page.
    ann = {"Authorization": f"token {hub.create_user('ann')}"}
    r = hub.api("PATCH", "/users/cat", json={"admin": True}, headers=ann)
    assert r.status_code == 200, r.text
    assert [is_admin(hub, n) for n in ("ann", "bob", "cat")] == [True, True, True]

    hub.stop()
    hub.env["KAGGLE_HUB_ADMINS"] = "ann"
    hub.start()
    # bob came from the setting and left it; cat was made admin on the admin page.
    assert [is_admin(hub, n) for n in ("ann", "bob", "cat")] == [True, False, True]
    scopes = hub.api("GET", "/users/bob").json()["roles"]
    assert "admin" not in scopes


def test_deleting_a_user_stops_every_server_and_revokes_tokens(make_hub, docker_client):
    hub = make_hub()
    token = hub.create_user("dora")
    hub.start_server("dora", "lab2")
    server = UserServer(hub, "dora", token, "lab2")
    assert server.get("api/status").status_code == 200

    r = hub.api("DELETE", "/users/dora")
    assert r.status_code == 204, r.text
    assert docker_client.containers(all=True, filters={"name": f"{hub.prefix}-dora"}) == []
    gone = server.get("api/status", allow_redirects=False)
    assert gone.status_code != 200, "the deleted user's server still answers"
    # No route to a server is left: the proxy hands the path to the hub.
    assert urlsplit(gone.headers.get("Location", "")).path.startswith("/hub/"), gone.headers
    as_dora = requests.get(
        f"{hub.url}/hub/api/user", headers={"Authorization": f"token {token}"}, timeout=30
    )
    assert as_dora.status_code == 403


def test_a_batch_of_new_users_adds_the_valid_names_and_names_the_refused(make_hub):
    hub = make_hub()
    r = hub.api("POST", "/users", json={"usernames": ["eve", "a/b", "fay", "x\0y"]})
    assert r.status_code == 400, r.text
    answer = r.json()
    assert answer["added"] == ["eve", "fay"]
    assert answer["message"].startswith("Not added: 'a/b' cannot be a user name here")
    assert "'x\\x00y' cannot be a user name" in answer["message"]
    assert hub.api("GET", "/users/eve").status_code == 200

    for body in ({"usernames": [1, 2]}, [1, 2], "x", 5, None, {"usernames": "eve"}):
        r = hub.api("POST", "/users", json=body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["message"], body
    assert hub.api("POST", "/users", json={"usernames": ["eve"]}).status_code == 409
    r = hub.api("POST", "/users", json={"usernames": ["gil"]})
    assert r.status_code == 201, r.text
    assert [u["name"] for u in r.json()] == ["gil"]
    names = {u["name"] for u in hub.api("GET", "/users").json()}
    assert names == {"eve", "fay", "gil"}


@pytest.mark.reliability
def test_a_discarded_sign_up_leaves_nothing_for_the_next_eve(make_hub, docker_client):
    hub = make_hub(env={"KAGGLE_HUB_ADMINS": "boss"})
    admin = hub.browser_session("boss")
    admin_xsrf = admin.cookies.get("_xsrf", path="/hub/")
    password = "eve-password-1"
    session = requests.Session()
    session.get(f"{hub.url}/hub/signup", timeout=30)
    xsrf = session.cookies.get("_xsrf", path="/hub/")
    form = {"username": "eve", "signup_password": password, "_xsrf": xsrf}
    form["signup_password_confirmation"] = password
    assert session.post(f"{hub.url}/hub/signup", data=form, timeout=30).status_code == 200
    approval = f"{hub.url}/hub/authorize/eve"
    r = admin.post(approval, data={"action": "approve", "_xsrf": admin_xsrf}, timeout=30)
    assert r.status_code == 200, r.text
    login = {"username": "eve", "password": password, "_xsrf": xsrf}
    r = session.post(f"{hub.url}/hub/login", data=login, timeout=30, allow_redirects=False)
    assert r.status_code == 302, r.text
    token = hub.api("POST", "/users/eve/tokens", json={"note": "eve's"}).json()["token"]
    hub.start_server("eve")
    UserServer(hub, "eve", token).put_text("code/eve.txt", "eve's work")
    assert put_secret(hub, token, "KEY", "eve's key").status_code == 201

    # An admin revokes the approval, then discards the sign-up.
    r = admin.post(approval, data={"action": "revoke", "_xsrf": admin_xsrf}, timeout=30)
    assert r.status_code == 200, r.text
    r = admin.post(f"{hub.url}/hub/discard/eve", data={"_xsrf": admin_xsrf}, timeout=30)
    assert r.status_code == 200, r.text
    assert hub.api("GET", "/users/eve").status_code == 404
    assert docker_client.containers(all=True, filters={"name": f"{hub.prefix}-eve"}) == []
    volumes = [v["Name"] for v in docker_client.volumes()["Volumes"] or []]
    assert f"{hub.prefix}-eve-work" not in volumes
    assert any(v.startswith(f"{hub.prefix}-eve-work-deleted-") for v in volumes), volumes
    assert list((hub.workdir / "data").rglob("eve.json")) == []

    # A stranger signing up as eve waits for approval like anyone else.
    stranger = requests.Session()
    stranger.get(f"{hub.url}/hub/signup", timeout=30)
    xsrf = stranger.cookies.get("_xsrf", path="/hub/")
    form = {"username": "eve", "signup_password": "stranger-pw-1", "_xsrf": xsrf}
    form["signup_password_confirmation"] = "stranger-pw-1"
    assert stranger.post(f"{hub.url}/hub/signup", data=form, timeout=30).status_code == 200
    login = {"username": "eve", "password": "stranger-pw-1", "_xsrf": xsrf}
    r = stranger.post(f"{hub.url}/hub/login", data=login, timeout=30, allow_redirects=False)
    assert r.status_code != 302, r.headers


@pytest.mark.reliability
def test_secrets_an_older_release_left_for_a_deleted_name_are_removed_at_start(make_hub):
    hub = make_hub()
    hub.stop()
    data = hub.workdir / "data"
    key = (data / "auth_state_crypt_key").read_text().strip()
    # What an older release's discard of a sign-up left: zed's secrets, no user zed.
    SecretStore(datadir.secrets_dir(data), key).put("zed", "TOKEN", "the old zed's")
    hub.start()
    assert "Removed the secrets of 1 users deleted before this release" in hub.log()
    token = hub.create_user("zed")
    r = requests.get(
        f"{hub.url}/hub/api/secrets", headers={"Authorization": f"token {token}"}, timeout=30
    )
    assert r.json() == {"secrets": []}
