"""What the hub adds holds whatever the login: Kaggle's APIs and secrets in a user's server,
secrets only for the user's own credentials, a user who leaves or is renamed taking
their servers, files and secrets along, a profile kept for a group, sharing a running
server with a teammate, and the team folder (read-only for a group). Each test runs
under the built-in login, a real LDAP directory (slapd) and a site's own authenticator set
in a drop-in (JupyterHub's DummyAuthenticator). (An OAuth login starts a server only after
a real login, for its tokens: the OpenID Connect tier, tests/e2e, walks deletion and
secrets in the browser.)"""

import json
import os

import pytest
import requests

from spawner.server import naming

from ..hubprocess import UserServer
from ..hubs import finish_hub, module_failed, new_hub
from ..kagglenotebook import make_shared, put_secret, run_the_titanic_notebook
from ..ldapserver import LDAPServer
from ..waiting import wait_for

pytestmark = [pytest.mark.docker, pytest.mark.reliability]

DROPIN_LOGIN = {
    "50-login.py": (
        'c.JupyterHub.authenticator_class = "dummy"\n'
        'c.DummyAuthenticator.password = "demo-password-1"\n'
        "c.DummyAuthenticator.allow_all = True\n"
    )
}


# The default profile for everyone, and one kept for the research group.
PROFILES = [{"name": "default", "default": True}, {"name": "kept", "groups": ["research"]}]


@pytest.fixture(scope="module", params=["native", "ldap", "dropin"])
def login_hub(request, tmp_path_factory, docker_client, image):
    shared = make_shared(tmp_path_factory.mktemp("shared"))
    offer = tmp_path_factory.mktemp("profiles") / "profiles.json"
    offer.write_text(json.dumps(PROFILES))
    env = {
        "KAGGLE_HUB_DATASETS_DIR": str(shared),
        "KAGGLE_HUB_PROFILES_FILE": str(offer),
        "KAGGLE_HUB_TEAM_READ_ONLY_GROUP": "readers",
    }
    mode = request.param
    hub = new_hub(
        tmp_path_factory, image, env=env, dropins=DROPIN_LOGIN if mode == "dropin" else None
    )
    helper = LDAPServer(hub.workdir, {"ann": "ann-password-1"}) if mode == "ldap" else None
    if helper is not None:
        hub.env.update(helper.hub_env())
        helper.start()
    try:
        hub.start()
        hub.mode = mode
        yield hub
    finally:
        failed = module_failed(request)
        finish_hub(docker_client, hub, failed)
        if helper is not None:
            if failed:
                print(f"----- {helper.name} log -----\n{helper.log()[-5000:]}")
            helper.stop()


def secrets_api(hub, token, method="GET", name="", **kwargs):
    return requests.request(
        method,
        f"{hub.url}/hub/api/secrets{'/' + name if name else ''}",
        headers={"Authorization": f"token {token}"},
        timeout=30,
        **kwargs,
    )


def secret_by_label(hub, token, label):
    return requests.post(
        f"{hub.url}/hub/kaggle/requests/GetUserSecretByLabelRequest",
        json={"Label": label},
        headers={"X-Kaggle-Authorization": f"Bearer {token}"},
        timeout=30,
    )


def volumes_of(docker_client, hub, user):
    """Names of ``user``'s live and quarantined volumes on the hub."""
    base = naming.volume_name(hub.prefix, user).removesuffix(naming.VOLUME_SUFFIX)
    found = docker_client.volumes(filters={"name": base}).get("Volumes") or []
    return sorted(v["Name"] for v in found if v["Name"].startswith(base + "-"))


def test_kagglehub_and_kaggle_secrets_answer_in_a_users_server(login_hub):
    token = login_hub.create_user("ann")
    login_hub.start_server("ann")
    run_the_titanic_notebook(login_hub, UserServer(login_hub, "ann", token), token)


def test_only_the_users_own_credentials_reach_their_secrets(login_hub):
    token = login_hub.create_user("ann")
    put_secret(login_hub, token, "KEY", "ann's key")
    assert secret_by_label(login_hub, token, "KEY").json()["result"] == {"secret": "ann's key"}
    # A token ann made to let a tool read her name, and the token JupyterHub gives a server
    # for a visitor (an admin opening ann's server), hold no secrets scope.
    for scopes in (
        ["read:users:name!user=ann"],
        ["access:servers!server=ann/", "read:users:name!user=ann"],
    ):
        r = login_hub.api("POST", "/users/ann/tokens", json={"scopes": scopes})
        assert r.status_code == 201, r.text
        narrow = r.json()["token"]
        assert secrets_api(login_hub, narrow).status_code == 403
        assert secrets_api(login_hub, narrow, "PUT", "KEY", json={"value": "x"}).status_code == 403
        assert secrets_api(login_hub, narrow, "DELETE", "KEY").status_code == 403
        refused = secret_by_label(login_hub, narrow, "KEY")
        assert refused.status_code == 403
        assert "may not use secrets" in refused.json()["message"]
    assert secret_by_label(login_hub, token, "KEY").json()["result"] == {"secret": "ann's key"}


def test_a_deleted_user_takes_servers_files_and_secrets_along(login_hub, docker_client):
    token = login_hub.create_user("bob")
    login_hub.start_server("bob")
    login_hub.start_server("bob", "lab2")
    UserServer(login_hub, "bob", token).put_text("code/bob.txt", "bob's work")
    assert put_secret(login_hub, token, "KEY", "bob's key").status_code == 201

    r = login_hub.api("DELETE", "/users/bob")
    assert r.status_code == 204, r.text
    assert docker_client.containers(all=True, filters={"name": f"{login_hub.prefix}-bob"}) == []
    left = volumes_of(docker_client, login_hub, "bob")
    assert len(left) == 2 and all(naming.QUARANTINE_INFIX in v for v in left), left

    # The next account named bob starts with nothing of the old one's.
    new_token = login_hub.create_user("bob")
    assert secrets_api(login_hub, new_token).json() == {"secrets": []}
    login_hub.start_server("bob")
    assert "bob.txt" not in UserServer(login_hub, "bob", new_token).names("code")
    login_hub.api("DELETE", "/users/bob")


def test_a_renamed_user_takes_files_and_secrets_along(login_hub, docker_client):
    token = login_hub.create_user("cat")
    login_hub.start_server("cat")
    UserServer(login_hub, "cat", token).put_text("code/cat.txt", "cat's work")
    assert put_secret(login_hub, token, "KEY", "cat's key").status_code == 201

    r = login_hub.api("PATCH", "/users/cat", json={"name": "cleo"})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "cleo"
    assert volumes_of(docker_client, login_hub, "cat") == []
    assert secrets_api(login_hub, token).json()["secrets"][0]["name"] == "KEY"
    login_hub.start_server("cleo")
    assert UserServer(login_hub, "cleo", token).read_text("code/cat.txt") == "cat's work"

    # A new cat has none of it.
    new_token = login_hub.create_user("cat")
    assert secrets_api(login_hub, new_token).json() == {"secrets": []}
    # Renaming onto a taken name changes nothing and says why.
    taken = login_hub.api("PATCH", "/users/cleo", json={"name": "cat"})
    assert taken.status_code == 409 and "already" in taken.json()["message"]
    for name in ("cat", "cleo"):
        login_hub.api("DELETE", f"/users/{name}")


def test_server_options_that_are_not_an_object_get_a_400(login_hub):
    login_hub.create_user("dee")
    r = login_hub.api("POST", "/users/dee/server", json=[1, 2])
    assert r.status_code == 400, r.text
    assert "must be a JSON object" in r.json()["message"]
    assert login_hub.api("GET", "/users/dee").json()["servers"] == {}


def test_kaggles_endpoints_refuse_what_is_not_a_request(login_hub):
    token = login_hub.create_user("eve")
    login_hub.start_server("eve")
    for body in ([1], "x", 5):
        r = requests.post(
            f"{login_hub.url}/hub/kaggle/requests/GetUserSecretByLabelRequest",
            json=body,
            headers={"X-Kaggle-Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert r.status_code == 400, (body, r.text)
    attach = requests.post(
        f"{login_hub.url}/hub/kaggle/kaggle-jwt-handler/AttachDatasourceUsingJwtRequest",
        json={"competitionRef": {"CompetitionSlug": "t" * 5000}},
        headers={"X-Kaggle-Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert attach.status_code == 200, attach.text
    assert attach.json()["wasSuccessful"] is False
    assert "is not a Kaggle slug" in attach.json()["errors"][0]


def test_a_long_valid_name_keeps_its_secrets_and_can_leave(login_hub):
    # 100 characters, each but the first and last escaped to 3 in file names: 296 in all.
    name = "d" + "-." * 49 + "d"
    token = login_hub.create_user(name)
    assert put_secret(login_hub, token, "KEY", "v").status_code == 201
    assert [s["name"] for s in secrets_api(login_hub, token).json()["secrets"]] == ["KEY"]
    assert login_hub.api("DELETE", f"/users/{name}").status_code == 204


def login(hub, name, password):
    """A cookie session after posting the hub's login form; and the answer to the post."""
    session = requests.Session()
    session.get(f"{hub.url}/hub/login", timeout=30)
    form = {"username": name, "password": password, "_xsrf": session.cookies.get("_xsrf")}
    r = session.post(f"{hub.url}/hub/login", data=form, timeout=30, allow_redirects=False)
    return session, r


PASSWORDS = {"ldap": "ann-password-1", "dropin": "demo-password-1"}


def test_a_person_logs_in_and_finds_the_secrets_page(login_hub):
    login_hub.create_user("ann")
    if login_hub.mode == "native":
        session = login_hub.browser_session("ann")
    else:
        assert login(login_hub, "ann", "wrong-password")[1].status_code != 302
        session, r = login(login_hub, "ann", PASSWORDS[login_hub.mode])
        assert r.status_code == 302, r.text
    page = session.get(f"{login_hub.url}/hub/secrets", timeout=30)
    assert page.status_code == 200, page.text
    assert "Secrets" in page.text


def test_a_profile_kept_for_a_group_is_started_only_by_its_members(login_hub, docker_client):
    hub = login_hub
    hub.create_user("gus")
    refused = hub.api("POST", "/users/gus/server", json={"profile": "kept"})
    assert refused.status_code == 403, refused.text
    assert "is for members of the group 'research'" in refused.json()["message"]
    assert not docker_client.containers(all=True, filters={"name": f"{hub.prefix}-gus"})
    assert hub.api("POST", "/groups/research").status_code == 201
    added = hub.api("POST", "/groups/research/users", json={"users": ["gus"]})
    assert added.status_code == 200, added.text
    started = hub.api("POST", "/users/gus/server", json={"profile": "kept"})
    assert started.status_code in (201, 202), started.text
    hub.wait_ready("gus")
    hub.stop_server("gus")


def shares_api(hub, token, method, owner, **kwargs):
    return requests.request(
        method,
        f"{hub.url}/hub/api/shares/{owner}/",
        headers={"Authorization": f"token {token}"},
        timeout=30,
        **kwargs,
    )


def test_a_member_shares_a_running_server_and_stops_sharing(login_hub):
    hub = login_hub
    sam, tia, uma = hub.create_user("sam"), hub.create_user("tia"), hub.create_user("uma")
    hub.start_server("sam")
    tia_in_sam = UserServer(hub, "sam", tia)
    assert tia_in_sam.get("api/contents").status_code == 403
    shared = shares_api(hub, sam, "POST", "sam", json={"user": "tia"})
    assert shared.status_code == 200, shared.text

    def tia_answered(status, what):
        # The server trusts the hub's last answer about tia for auth_cache_seconds (1 s).
        wait_for(lambda: tia_in_sam.get("api/contents").status_code == status, 5, 0.2, what=what)

    tia_answered(200, "tia let in once sam shares")
    # A guest cannot pass the server on (JupyterHub answers as if there were no such share).
    assert shares_api(hub, tia, "POST", "sam", json={"user": "uma"}).status_code == 404
    assert UserServer(hub, "sam", uma).get("api/contents").status_code == 403
    stopped = shares_api(hub, sam, "PATCH", "sam", json={"user": "tia"})
    assert stopped.status_code == 200, stopped.text
    tia_answered(403, "tia refused once sam stopped sharing")


READ_ONLY_WRITE = """
try:
    open("/tmp/working/team/from-a-reader.txt", "w")
except OSError as e:
    print(e.strerror)
"""


def test_the_team_folder_is_everyones_and_only_readable_for_its_group(login_hub, docker_client):
    hub = login_hub
    vic, wes = hub.create_user("vic"), hub.create_user("wes")
    assert hub.api("POST", "/groups/readers").status_code == 201
    added = hub.api("POST", "/groups/readers/users", json={"users": ["wes"]})
    assert added.status_code == 200, added.text
    hub.start_server("vic")
    hub.start_server("wes")
    vic_server, wes_server = UserServer(hub, "vic", vic), UserServer(hub, "wes", wes)
    vic_server.put_text("team/plan.md", "# plan\n")
    assert wes_server.read_text("team/plan.md") == "# plan\n"
    folder = docker_client.inspect_volume(f"{hub.prefix}-team")["Mountpoint"]
    assert os.getxattr(f"{folder}/plan.md", "user.kaggle-team-hub.owner") == b"vic"
    body = {"type": "file", "format": "text", "content": "mine"}
    refused = wes_server.request("PUT", "api/contents/team/notes.md", json=body)
    assert refused.status_code == 403, refused.text
    assert (
        "the team folder is read-only for members of the group 'readers'"
        in (refused.json()["message"])
    )
    assert wes_server.run(READ_ONLY_WRITE).strip() == "Read-only file system"
    assert sorted(wes_server.names("team")) == ["plan.md"]
    hub.stop_server("vic")
    hub.stop_server("wes")
