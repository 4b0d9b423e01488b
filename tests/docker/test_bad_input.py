"""Ordinary bad input to the REST API gets a 4xx with a message, and creates nothing."""

import pytest
import requests

pytestmark = [pytest.mark.docker, pytest.mark.reliability]


def objects_of(docker_client, hub, user):
    prefix = f"{hub.prefix}-{user}"
    names = [n.lstrip("/") for c in docker_client.containers(all=True) for n in c["Names"]]
    names += [v["Name"] for v in docker_client.volumes().get("Volumes") or []]
    return [n for n in names if n.startswith(prefix)]


@pytest.mark.parametrize("body", ["[1, 2]", '"x"', "5", "null", "true"])
def test_server_options_that_are_not_an_object_are_refused(hub, docker_client, body):
    hub.create_user("opt")
    r = hub.api(
        "POST", "/users/opt/server", data=body, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400, r.text
    assert "Server options must be a JSON object" in r.json()["message"]
    assert objects_of(docker_client, hub, "opt") == []


def test_refused_options_are_not_kept_for_the_next_start(hub, docker_client):
    hub.create_user("ref")
    r = hub.api("POST", "/users/ref/server", json={"profile": "no-such-profile"})
    assert r.status_code == 400, r.text
    assert objects_of(docker_client, hub, "ref") == []
    # The Start button sends no options: the default profile starts.
    hub.start_server("ref")
    hub.stop_server("ref")


@pytest.mark.parametrize("name", ["a%00b", "a%0Ab", "tab%09name"])
def test_a_user_name_with_a_control_character_is_refused(hub, docker_client, name):
    r = hub.api("POST", f"/users/{name}")
    assert r.status_code == 400, r.text
    assert all("\0" not in u["name"] for u in hub.api("GET", "/users").json())
    assert [v for v in docker_client.volumes().get("Volumes") or [] if "\0" in v["Name"]] == []
    # An encoded NUL is refused by the proxy itself; the other names reach no user.
    start = hub.api("POST", f"/users/{name}/server")
    assert start.status_code == (400 if "%00" in name else 404), start.text


def test_a_current_password_bcrypt_cannot_check_is_told_it_is_wrong(hub):
    password = "fay-password-12"
    hub.create_user("fay")  # an admin added fay: her sign-up needs no approval
    session = hub.browser_session("fay", password)
    xsrf = session.cookies.get("_xsrf", path="/hub/")
    form = {
        "old_password": "x" * 80,
        "new_password": "fay-new-password-1",
        "new_password_confirmation": "fay-new-password-1",
        "_xsrf": xsrf,
    }
    r = session.post(f"{hub.url}/hub/change-password", data=form, timeout=30)
    assert r.status_code == 200, r.text
    assert "Your current password was incorrect" in r.text
    # The password is unchanged: the old one still logs in.
    login = {"username": "fay", "password": password, "_xsrf": xsrf}
    r = session.post(f"{hub.url}/hub/login", data=login, timeout=30, allow_redirects=False)
    assert r.status_code == 302, r.text


def test_a_login_form_whose_token_expired_shows_the_form_again_with_the_reason(hub):
    """JupyterHub 5.3+ renders a refused login post through the login form, synchronously
    and with extra fields; the built-in login's form took neither and answered empty."""
    session = requests.Session()
    session.get(f"{hub.url}/hub/login", timeout=30)
    form = {"username": "gil", "password": "gil-password-1", "_xsrf": "expired-token"}
    r = session.post(
        f"{hub.url}/hub/login",
        data=form,
        headers={"Sec-Fetch-Mode": "navigate"},
        timeout=30,
        allow_redirects=False,
    )
    assert r.status_code == 403, r.text
    assert "Login form invalid or expired. Try again." in r.text
    assert 'name="password"' in r.text  # the form, to try again
