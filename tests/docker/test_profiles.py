"""Profiles through a real hub: limits enforced by Docker, bad options refused, GPUs asked."""

import json

import pytest

from ..hubprocess import UserServer
from ..hubs import finish_hub, module_failed, new_hub

pytestmark = pytest.mark.docker

MiB = 1024**2


OFFER = [
    {"name": "small", "cpu_limit": 0.5, "mem_limit": "512m", "shm_size": "256m"},
    {"name": "roomy", "description": "no limits", "default": True},
    {"name": "gpu", "gpus": "all"},
]


@pytest.fixture(scope="module")
def profiles_env(tmp_path_factory):
    offer = tmp_path_factory.mktemp("profiles") / "profiles.json"
    offer.write_text(json.dumps(OFFER))
    return {"KAGGLE_HUB_PROFILES_FILE": str(offer)}


@pytest.fixture(scope="module")
def hub(tmp_path_factory, image, request, docker_client, profiles_env):
    hub = new_hub(tmp_path_factory, image, env=profiles_env)
    hub.start()
    yield hub
    finish_hub(docker_client, hub, module_failed(request))


def start_with(hub, user, options):
    return hub.api("POST", f"/users/{user}/server", json=options)


def test_limits_are_enforced_by_docker(hub, docker_client):
    token = hub.create_user("sam")
    hub.start_server("sam", options={"profile": "small"})
    host = docker_client.inspect_container(f"{hub.prefix}-sam")["HostConfig"]
    assert (host["Memory"], host["CpuQuota"], host["CpuPeriod"], host["ShmSize"]) == (
        512 * MiB,
        50000,
        100000,
        256 * MiB,
    )
    seen = UserServer(hub, "sam", token).run(
        "import pathlib\n"
        "v2 = pathlib.Path('/sys/fs/cgroup/memory.max')\n"
        "v1 = pathlib.Path('/sys/fs/cgroup/memory/memory.limit_in_bytes')\n"
        "print((v2 if v2.exists() else v1).read_text().strip())\n"
    )
    assert int(seen) == 512 * MiB

    # JupyterLab's status bar meter reads the server's own limits, not the machine's.
    metrics = UserServer(hub, "sam", token).get("api/metrics/v1")
    assert metrics.status_code == 200, metrics.text
    answer = metrics.json()
    assert answer["limits"]["memory"]["rss"] == 512 * MiB
    assert 0 < answer["rss"] < 512 * MiB
    assert answer["cpu_percent"] >= 0 and answer["limits"]["cpu"]["cpu"] == 0.5


def test_a_new_profile_takes_effect_at_the_next_start(hub, docker_client):
    hub.create_user("ria")
    hub.start_server("ria", options={"profile": "small"})
    assert docker_client.inspect_container(f"{hub.prefix}-ria")["HostConfig"]["Memory"] == 512 * MiB
    hub.stop_server("ria")
    hub.start_server("ria", options={"profile": "roomy"})
    host = docker_client.inspect_container(f"{hub.prefix}-ria")["HostConfig"]
    # No limit in the profile: three quarters of the machine's memory, all its CPUs.
    share = int(docker_client.info()["MemTotal"] * 0.75)
    assert (host["Memory"], host["CpuQuota"], host["ShmSize"]) == (share, 0, 2048 * MiB)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"profile": "huge"}, "Unknown profile 'huge': choose one of small, roomy, gpu"),
        ({"image": "evil/miner:latest"}, "Image 'evil/miner:latest' is not allowed here"),
        ({"profile": "small", "mem_limit": "1T"}, "Unknown server options ['mem_limit']"),
        ({"profile": "s" * 5000}, "at most 256 characters"),
    ],
)
def test_bad_options_get_400_and_nothing_is_created(hub, docker_client, options, message):
    hub.create_user("eve")
    r = start_with(hub, "eve", options)
    assert r.status_code == 400, r.text
    assert message in r.json()["message"]
    assert docker_client.containers(all=True, filters={"name": f"{hub.prefix}-eve"}) == []
    assert hub.api("GET", "/users/eve").json()["servers"] == {}


def test_gpu_profile_asks_docker_for_gpus_and_says_why_it_cannot(
    make_hub, profiles_env, docker_client
):
    # Keep the failed container (not our default) so that its request can be read.
    hub = make_hub(env=profiles_env, dropins={"50-keep.py": "c.KaggleSpawner.remove = False\n"})
    hub.create_user("gia")
    r = start_with(hub, "gia", {"profile": "gpu"})
    assert r.status_code == 500, r.text
    message = r.json()["message"]
    assert "The profile 'gpu' asks for GPUs" in message
    assert "NVIDIA Container Toolkit" in message
    (created,) = docker_client.containers(all=True, filters={"name": f"{hub.prefix}-gia"})
    requests_made = docker_client.inspect_container(created["Id"])["HostConfig"]["DeviceRequests"]
    assert requests_made == [
        {
            "Driver": "nvidia",
            "Count": -1,
            "DeviceIDs": [],
            "Capabilities": [["gpu"]],
            "Options": {},
        }
    ]


def test_the_spawn_page_offers_the_profiles(hub):
    hub.create_user("pat")  # added by an admin, so the sign-up needs no approval
    session = hub.browser_session("pat")
    page = session.get(f"{hub.url}/hub/spawn/pat", timeout=30)
    assert page.status_code == 200
    for name in ("small", "roomy", "gpu"):
        assert f'value="{name}"' in page.text
    xsrf = session.cookies.get("_xsrf", path="/hub/")
    posted = session.post(
        f"{hub.url}/hub/spawn/pat", data={"profile": "small", "_xsrf": xsrf}, timeout=90
    )
    assert posted.status_code == 200
    hub.wait_ready("pat")
    assert hub.api("GET", "/users/pat").json()["servers"][""]["user_options"] == {
        "profile": "small"
    }


KEPT = [
    {"name": "cpu", "default": True},
    {"name": "small", "mem_limit": "512m"},
    {"name": "big", "description": "for research", "mem_limit": "1g", "groups": ["research"]},
]


def test_a_profile_kept_for_a_group_is_seen_and_started_only_by_its_members(
    make_hub, docker_client, tmp_path
):
    offer = tmp_path / "kept.json"
    offer.write_text(json.dumps(KEPT))
    hub = make_hub(env={"KAGGLE_HUB_PROFILES_FILE": str(offer)})
    hub.create_user("rea")
    session = hub.browser_session("rea")

    def offered():
        page = session.get(f"{hub.url}/hub/spawn/rea", timeout=30)
        assert page.status_code == 200
        return {name for name in ("cpu", "small", "big") if f'value="{name}"' in page.text}

    assert offered() == {"cpu", "small"}
    refused = start_with(hub, "rea", {"profile": "big"})
    assert refused.status_code == 403, refused.text
    assert refused.json()["message"] == (
        "The profile 'big' is for members of the group 'research', and you are not one: an "
        "admin adds you on the admin page (Manage Groups), or choose another profile."
    )
    assert not docker_client.containers(all=True, filters={"name": f"{hub.prefix}-rea"})

    # An admin adds rea to the group: the profile is there at the next start.
    assert hub.api("POST", "/groups/research").status_code == 201
    added = hub.api("POST", "/groups/research/users", json={"users": ["rea"]})
    assert added.status_code == 200, added.text
    assert offered() == {"cpu", "small", "big"}
    assert start_with(hub, "rea", {"profile": "big"}).status_code in (201, 202)
    hub.wait_ready("rea")
    (running,) = docker_client.containers(filters={"name": f"{hub.prefix}-rea"})
    limit = docker_client.inspect_container(running["Id"])["HostConfig"]["Memory"]
    assert limit == 1024 * MiB
