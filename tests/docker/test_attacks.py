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
