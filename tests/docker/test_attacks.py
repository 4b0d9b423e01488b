"""Bad input an attacker would send: open redirects after login, paths out of a user's
files, oversized and malformed bodies. Each gets a refusal, never a 500 or a way out."""

from urllib.parse import urlsplit

import pytest
import requests

from ..hubprocess import UserServer

pytestmark = [pytest.mark.docker, pytest.mark.reliability]

NEXT_URLS = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "http://127.0.0.1:1/",
    "/hub/../../evil",
    "%2F%2Fevil.example",
]


def test_login_never_redirects_off_the_hub(make_hub):
    hub = make_hub(env={"KAGGLE_HUB_ADMINS": "ann"})
    password = "correct-horse-battery-9"
    session = hub.browser_session("ann", password)
    xsrf = session.cookies.get("_xsrf", path="/hub/")
    fresh = requests.Session()
    fresh_xsrf = None
    for target in NEXT_URLS:
        # Logged in, the login page sends the user on at once; logging in, after the form.
        page = session.get(
            f"{hub.url}/hub/login", params={"next": target}, allow_redirects=False, timeout=30
        )
        fresh.get(f"{hub.url}/hub/login", timeout=30)
        fresh_xsrf = fresh.cookies.get("_xsrf", path="/hub/") or fresh_xsrf
        posted = fresh.post(
            f"{hub.url}/hub/login",
            params={"next": target},
            data={"username": "ann", "password": password, "_xsrf": fresh_xsrf},
            allow_redirects=False,
            timeout=30,
        )
        assert posted.status_code == 302, (target, posted.status_code, posted.text[:200])
        for location in (page.headers.get("Location", ""), posted.headers["Location"]):
            parts = urlsplit(location)
            assert parts.scheme in ("", "http"), (target, location)
            assert parts.netloc in ("", f"127.0.0.1:{hub.port}"), (target, location)
            assert not location.startswith(("//", "/\\", "\\")), (target, location)
    assert xsrf


TRAVERSALS = [
    "../../../etc/passwd",
    "..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "code/../../../../etc/passwd",
    "/etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_the_contents_api_stays_inside_the_users_files(hub, path):
    token = hub.create_user("tom")
    if not hub.api("GET", "/users/tom").json()["servers"]:
        hub.start_server("tom")
    tom = UserServer(hub, "tom", token)
    r = requests.get(tom.base + "api/contents/" + path, headers=tom.headers, timeout=30)
    assert r.status_code in (400, 403, 404), (r.status_code, r.text[:200])
    assert "root:x:0:0" not in r.text


@pytest.mark.parametrize(
    "body", [b"{", b"\xff\xfe", b"[" * 5000 + b"]" * 5000, b'{"usernames": ' + b"9" * 100000 + b"}"]
)
def test_malformed_bodies_get_a_4xx(hub, body):
    r = hub.api("POST", "/users", data=body, headers={"Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:200])


def test_an_oversized_body_is_refused_without_harm(hub):
    big = b'{"usernames": ["' + b"a" * (64 * 1024**2) + b'"]}'
    try:
        r = hub.api("POST", "/users", data=big, headers={"Content-Type": "application/json"})
        assert 400 <= r.status_code < 500, (r.status_code, r.text[:200])
    except requests.ConnectionError:
        pass  # the hub may close the connection on a body over its limit
    assert hub.api("GET", "/users").status_code == 200


SCRIPT = "<script>alert(1)</script>"


def test_hostile_spawn_form_fields_are_refused_and_never_echoed_raw(
    make_hub, tmp_path, docker_client
):
    offer = tmp_path / "profiles.json"
    offer.write_text('[{"name": "cpu", "default": true}, {"name": "big", "mem_limit": "2g"}]')
    hub = make_hub(env={"KAGGLE_HUB_ADMINS": "eve", "KAGGLE_HUB_PROFILES_FILE": str(offer)})
    session = hub.browser_session("eve")
    xsrf = session.cookies.get("_xsrf", path="/hub/")
    for fields in ({"profile": SCRIPT}, {"profile": "cpu\x00"}, {"profile": "../cpu"}):
        r = session.post(
            f"{hub.url}/hub/spawn",
            data={**fields, "_xsrf": xsrf},
            allow_redirects=False,
            timeout=60,
        )
        assert r.status_code in (400, 200), (fields, r.status_code)
        assert SCRIPT not in r.text, fields
        assert "Traceback" not in r.text
        assert not hub.api("GET", "/users/eve").json()["servers"], fields
    # Fields the form does not have are ignored: the chosen profile starts, image and all.
    r = session.post(
        f"{hub.url}/hub/spawn",
        data={"profile": "cpu", "image": SCRIPT, SCRIPT: "x", "_xsrf": xsrf},
        allow_redirects=False,
        timeout=60,
    )
    assert r.status_code == 302, r.text
    hub.wait_ready("eve")
    container = docker_client.inspect_container(f"{hub.prefix}-eve")
    assert container["Config"]["Image"] == hub.env["KAGGLE_HUB_IMAGE"]


# What another site's page can make the admin's browser send: the admin's cookies (when the
# browser sends them at all), no XSRF token, another site's origin.
CROSS_SITE = {
    "Origin": "https://evil.example",
    "Referer": "https://evil.example/page",
    "Sec-Fetch-Site": "cross-site",
}
NEW_PASSWORD = {"new_password": "taken-over-123", "new_password_confirmation": "taken-over-123"}
STATE_CHANGES = [
    ("POST", "/hub/authorize/mallory", {"data": {"action": "approve"}}),
    ("GET", "/hub/authorize/mallory", {}),
    ("POST", "/hub/discard/mallory", {}),
    ("GET", "/hub/discard/mallory", {}),
    ("GET", "/hub/confirm/mallory", {}),
    ("POST", "/hub/change-password/bob", {"data": NEW_PASSWORD}),
    ("POST", "/hub/change-password", {"data": {"old_password": "x", **NEW_PASSWORD}}),
    ("POST", "/hub/spawn/bob", {"data": {}}),
    ("POST", "/hub/spawn", {"data": {}}),
    ("POST", "/hub/api/users", {"json": {"usernames": ["eve"]}}),
    ("POST", "/hub/api/users/eve", {"json": {}}),
    ("PATCH", "/hub/api/users/bob", {"json": {"admin": True}}),
    ("DELETE", "/hub/api/users/cat", {}),
    ("POST", "/hub/api/users/bob/server", {"json": {}}),
    ("POST", "/hub/api/users/ann/tokens", {"json": {"note": "stolen"}}),
    ("POST", "/hub/api/shutdown", {}),
]


def test_no_state_changes_without_the_hubs_xsrf_token(make_hub, docker_client):
    hub = make_hub(env={"KAGGLE_HUB_ADMINS": "ann"})
    admin = hub.browser_session("ann")
    bob_password = "bobs-own-password-1"
    hub.api("POST", "/users/bob")  # added by an admin, so approved at sign-up
    hub.browser_session("bob", bob_password)
    hub.create_user("cat")
    mallory = requests.Session()
    mallory.get(f"{hub.url}/hub/signup", timeout=30)
    xsrf = mallory.cookies.get("_xsrf", path="/hub/")
    signed_up = mallory.post(
        f"{hub.url}/hub/signup",
        data={
            "username": "mallory",
            "signup_password": "mallorys-password-1",
            "signup_password_confirmation": "mallorys-password-1",
            "_xsrf": xsrf,
        },
        timeout=30,
    )
    assert signed_up.status_code == 200
    tokens_before = len(hub.api("GET", "/users/ann/tokens").json()["api_tokens"])

    answers = {}
    for method, path, body in STATE_CHANGES:
        r = admin.request(
            method, hub.url + path, headers=CROSS_SITE, allow_redirects=False, timeout=30, **body
        )
        answers[f"{method} {path}"] = r.status_code
    print(answers)
    changed = {k: v for k, v in answers.items() if k.startswith("GET") and v != 200}
    refused = {k: v for k, v in answers.items() if not k.startswith("GET") and v != 403}
    assert not refused, f"not refused: {refused}"
    assert all(v < 500 for v in changed.values()), changed

    # Nothing changed: the sign-up still waits, no user added, removed or made admin, no
    # server started, no token made, passwords as they were, the hub still up.
    users = {u["name"]: u for u in hub.api("GET", "/users").json()}
    assert set(users) == {"ann", "bob", "cat"}
    assert not users["bob"]["admin"] and not users["bob"]["servers"]
    assert len(hub.api("GET", "/users/ann/tokens").json()["api_tokens"]) == tokens_before
    assert not docker_client.containers(all=True, filters={"name": hub.prefix})
    assert "mallory" in approval_list(admin, hub, "Waiting for approval")
    login = requests.post(
        f"{hub.url}/hub/login",
        data={"username": "bob", "password": bob_password, "_xsrf": xsrf},
        cookies={"_xsrf": xsrf},
        allow_redirects=False,
        timeout=30,
    )
    assert login.status_code == 302

    # The same approval with the hub's token works: the refusals above were the token's.
    token = admin.cookies.get("_xsrf", path="/hub/")
    approved = admin.post(
        f"{hub.url}/hub/authorize/mallory",
        data={"action": "approve", "_xsrf": token},
        allow_redirects=False,
        timeout=30,
    )
    assert approved.status_code in (200, 302, 303)
    assert "mallory" in approval_list(admin, hub, "Approved")


def approval_list(session, hub, heading):
    """The names listed under ``heading`` on the sign-up approval page."""
    page = session.get(f"{hub.url}/hub/authorize", timeout=30).text
    section = page.split(heading, 1)[1]
    return section.split("<h2", 1)[0]
