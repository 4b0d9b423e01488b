"""Standbys: a returning member's server is made ready when it stops, and their next start
wakes it instead of starting a container cold; everything they see stays the same."""

import json
import re

import docker
import pytest

from spawner.server import standby

from ..browser import page_screenshot
from ..hubprocess import UserServer, volume_status
from ..hubs import standby_of

pytestmark = pytest.mark.docker

PROFILES = [
    {"name": "small", "mem_limit": "1G", "default": True},
    {"name": "roomy", "mem_limit": "2G"},
]


@pytest.fixture(scope="module")
def hub(request, tmp_path_factory, docker_client, image):
    from ..hubs import finish_hub, module_failed, new_hub

    profiles = tmp_path_factory.mktemp("profiles") / "profiles.json"
    profiles.write_text(json.dumps(PROFILES))
    hub = new_hub(
        tmp_path_factory,
        image,
        env={
            "KAGGLE_HUB_STANDBY_MAX": "4",
            "KAGGLE_HUB_PROFILES_FILE": str(profiles),
            "KAGGLE_HUB_ADMINS": "ada",
        },
        # A start is answered at once, so its progress can be followed from the beginning.
        dropins={
            "50-answer-at-once.py": "c.JupyterHub.tornado_settings['slow_spawn_timeout'] = 0\n"
        },
    )
    hub.start()
    yield hub
    finish_hub(docker_client, hub, module_failed(request))


def returning(hub, docker_client, user, files=None):
    """``user``'s server started (``files`` written in it), stopped, and its standby
    waiting: ``(UserServer, the standby's details)``."""
    member = UserServer(hub, user, hub.create_user(user))
    hub.start_server(user)
    for path, text in (files or {}).items():
        member.put_text(path, text)
    hub.stop_server(user)
    return member, standby_of(hub, docker_client, user)


def env_of(info):
    return dict(line.split("=", 1) for line in info["Config"]["Env"])


def test_a_returning_member_wakes_their_standby_and_finds_everything(hub, docker_client):
    alice, waiting = returning(hub, docker_client, "alice", {"code/notes.txt": "kept\n"})
    # A standby holds no token: nothing that carries one is in its environment.
    env = env_of(waiting)
    assert "JUPYTERHUB_API_TOKEN" not in env and "KAGGLE_USER_SECRETS_TOKEN" not in env
    assert env["JUPYTERHUB_USER"] == "alice"

    r = hub.api("POST", "/users/alice/server")
    assert r.status_code == 202, r.text
    messages = [e.get("message") for e in hub.progress_events("alice")]
    hub.wait_ready("alice")
    assert "Waking your server" in messages
    assert not any("Creating container" in m for m in messages), messages
    server = docker_client.inspect_container(f"{hub.prefix}-alice")
    assert server["Id"] == waiting["Id"]
    assert alice.read_text("code/notes.txt") == "kept\n"
    out = alice.run(
        "import os\n"
        "print(os.path.realpath('/kaggle/working'), os.path.realpath('/kaggle/input'))\n"
        "print(bool(os.environ.get('KAGGLE_USER_SECRETS_TOKEN')))\n"
        "print(open('/kaggle/working/notes.txt').read())\n"
    )
    assert "/tmp/working/code /tmp/working/input" in out
    assert "True" in out and "kept" in out
    assert server["HostConfig"]["Memory"] == 1024**3


def test_a_start_with_other_options_is_cold_and_drops_the_standby(hub, docker_client):
    bob, waiting = returning(hub, docker_client, "bob")

    hub.start_server("bob", options={"profile": "roomy"})
    server = docker_client.inspect_container(f"{hub.prefix}-bob")
    assert server["Id"] != waiting["Id"]
    assert server["HostConfig"]["Memory"] == 2 * 1024**3
    with pytest.raises(docker.errors.NotFound):
        docker_client.inspect_container(waiting["Id"])
    assert "its standby was removed, it was made for other options or settings" in hub.log()
    assert bob.names() >= {"code", "input"}


def test_a_standby_whose_process_died_gives_a_cold_start(hub, docker_client):
    _, waiting = returning(hub, docker_client, "carol")
    docker_client.kill(waiting["Id"])

    hub.start_server("carol")
    server = docker_client.inspect_container(f"{hub.prefix}-carol")
    assert server["Id"] != waiting["Id"]
    assert "its standby was removed, its process had ended" in hub.log()


def test_no_member_can_take_another_members_standby(hub, docker_client):
    _, doras = returning(hub, docker_client, "dora")
    erin = UserServer(hub, "erin", hub.create_user("erin"))

    hub.start_server("erin")
    erins = docker_client.inspect_container(f"{hub.prefix}-erin")
    assert erins["Id"] != doras["Id"]
    assert docker_client.inspect_container(doras["Id"])["State"]["Running"]
    assert erin.names() >= {"code", "input"}
    hub.stop_server("erin")


def test_a_deleted_members_standby_goes_and_their_volume_is_quarantined(hub, docker_client):
    _, waiting = returning(hub, docker_client, "fred")

    r = hub.api("DELETE", "/users/fred")
    assert r.status_code == 204, r.text
    with pytest.raises(docker.errors.NotFound):
        docker_client.inspect_container(waiting["Id"])
    volumes = {v["Name"] for v in docker_client.volumes()["Volumes"] or []}
    assert f"{hub.prefix}-fred-work" not in volumes
    assert any(v.startswith(f"{hub.prefix}-fred-work-deleted-") for v in volumes)


def test_standbys_outlive_a_hub_restart_and_still_wake(hub, docker_client):
    gail, waiting = returning(hub, docker_client, "gail", {"code/before-restart.txt": "yes\n"})

    hub.stop()
    hub.start()
    hub.start_server("gail")
    assert docker_client.inspect_container(f"{hub.prefix}-gail")["Id"] == waiting["Id"]
    assert gail.read_text("code/before-restart.txt") == "yes\n"


def test_a_member_used_today_without_a_standby_gets_one_when_the_hub_starts(hub, docker_client):
    jack = UserServer(hub, "jack", hub.create_user("jack"))
    hub.start_server("jack", options={"profile": "roomy"})
    jack.put_text("code/overnight.txt", "still here\n")
    hub.stop_server("jack")
    made_at_stop = standby_of(hub, docker_client, "jack")

    # The hub is down overnight and the standby goes with it, as an upgrade to a new
    # image or a cleaned-up machine would take it.
    hub.stop()
    docker_client.remove_container(made_at_stop["Id"], force=True)
    hub.start()
    waiting = standby_of(hub, docker_client, "jack")
    assert waiting["Id"] != made_at_stop["Id"]
    assert waiting["HostConfig"]["Memory"] == 2 * 1024**3
    assert "JUPYTERHUB_API_TOKEN" not in env_of(waiting)

    # The Start button starts with the options last used: it wakes the standby.
    hub.start_server("jack")
    assert docker_client.inspect_container(f"{hub.prefix}-jack")["Id"] == waiting["Id"]
    assert jack.read_text("code/overnight.txt") == "still here\n"


def test_a_machine_short_of_memory_gives_up_its_oldest_standby_before_a_cold_start(
    hub, docker_client
):
    returning(hub, docker_client, "ivy")
    waiting = standby.listed(docker_client, hub.prefix)
    # This machine has memory to spare, so how short of it the machine is comes as
    # (total, available): filling 24 GiB for real would endanger the other tests.
    assert standby.relieve(docker_client, hub.prefix, (100, 50)) == []
    oldest = waiting[0]["Names"][0].lstrip("/")
    assert standby.relieve(docker_client, hub.prefix, (100, 5)) == [oldest]
    left = [c["Id"] for c in standby.listed(docker_client, hub.prefix)]
    assert left == [c["Id"] for c in waiting[1:]]


def test_admins_see_who_has_a_standby_and_what_it_holds(hub, docker_client):
    returning(hub, docker_client, "hana")
    status = volume_status(hub.env, f"{hub.prefix}-hana-work")
    assert re.fullmatch(r"idle, standby \([\d.]+ [KMG]B\)", status), status

    password = "a-long-enough-passphrase"
    hub.browser_session("ada", password)
    shown = page_screenshot(hub, "ada", password, "admin", ".kth-standbys")
    assert "Standbys waiting: " in shown and "hana" in shown and " MB of memory" in shown, shown
