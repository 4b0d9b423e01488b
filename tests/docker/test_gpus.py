"""The machine's GPUs shared by allocation, on a real Docker engine with its nvidia device
driver: each server gets distinct devices, a start with none free is refused naming who
holds them, the allocation outlives a hub restart, and a stop or a death frees them.

This machine has no GPU. The engine under test is a second dockerd with the stand-ins in
tests/data/nvidia on its PATH: Docker registers its nvidia driver because the toolkit's
hook is there, and runs it for each container asking for GPUs with the devices it was
given, which the stand-in records instead of mounting them. The hub finds its two GPUs with
the stand-in nvidia-smi, as it would the real one."""

import json
import os
import secrets

import pytest

from spawner.settings.environment import REPO_DIR

from ..browser import fresh_context, native_login, native_signup, playwright_driver, screenshot
from ..hubprocess import UserServer, kaggle_hub
from ..secondengine import second_engine

pytestmark = pytest.mark.docker

STAND_INS = REPO_DIR / "tests/data/nvidia"
PROFILES = [
    {"name": "cpu", "default": True},
    {"name": "gpu", "description": "one GPU", "gpus": 1},
    {"name": "second", "description": "GPU 1", "gpus": ["1"]},
]


@pytest.fixture
def gpu_docker(image, tmp_path):
    """A second Docker engine with the NVIDIA stand-ins on its PATH; yields its address,
    client and the file the stand-in hook records each container's devices in."""
    record = tmp_path / "gpu-record.jsonl"
    record.touch()
    with second_engine(
        image, path=[STAND_INS], env={"KAGGLE_HUB_TEST_GPU_RECORD": str(record)}
    ) as (address, client, _):
        yield address, client, record


def given(record, client, container):
    """The devices the hook was told to give ``container`` when it last started."""
    full = client.inspect_container(container)["Id"]
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    return [line["devices"] for line in lines if line["container"] == full][-1]


def refused_on_the_spawn_page(hub, user, profile):
    """What ``user``'s browser shows after choosing ``profile`` on the spawn page."""
    with playwright_driver() as driver, fresh_context(driver) as context:
        page = context.new_page()
        password = secrets.token_urlsafe(12)
        native_signup(page, hub, user, password, admin_code=False)
        native_login(page, hub, user, password)
        page.goto(f"{hub.url}/hub/spawn/{user}")
        page.check(f"#profile-{profile}")
        page.click("input[type=submit], button[type=submit]")
        page.wait_for_selector("text=No GPU is free", timeout=60_000)
        screenshot(page, f"gpus-none-free-{user}")
        return page.inner_text("body")


def visible_devices(server):
    return server.run("import os; print(os.environ.get('NVIDIA_VISIBLE_DEVICES'))").strip()


def test_each_server_gets_its_own_gpus_until_it_stops_or_dies(gpu_docker, make_hub, tmp_path):
    address, client, record = gpu_docker
    profiles_file = tmp_path / "profiles.json"
    profiles_file.write_text(json.dumps(PROFILES))
    hub = make_hub(
        env={
            "DOCKER_HOST": address,
            "PATH": f"{STAND_INS}{os.pathsep}{os.environ['PATH']}",
            "KAGGLE_HUB_PROFILES_FILE": str(profiles_file),
            "KAGGLE_HUB_GPUS_PER_USER": "1",
            "KAGGLE_HUB_ADMINS": "ada",
        }
    )
    servers = {name: UserServer(hub, name, hub.create_user(name)) for name in ("ann", "bob")}
    for name in ("cy", "dan", "ada"):
        hub.create_user(name)

    # Two members asking for one GPU each get different ones, and see only theirs.
    hub.start_server("ann", options={"profile": "gpu"})
    hub.start_server("bob", options={"profile": "gpu"})
    assert given(record, client, f"{hub.prefix}-ann") == "0"
    assert given(record, client, f"{hub.prefix}-bob") == "1"
    assert visible_devices(servers["ann"]) == "0"
    assert visible_devices(servers["bob"]) == "1"
    assert "ann gets GPU 0" in (hub.workdir / "hub.log").read_text()

    # None free: refused at once, saying who holds them since when; nothing is made.
    refused = hub.api("POST", "/users/cy/server", json={"profile": "gpu"})
    assert refused.status_code == 409, refused.text
    message = refused.json()["message"]
    assert "No GPU is free for the profile 'gpu' (it asks for 1 of this machine's 2)" in message
    assert "GPU 0 by ann since 20" in message and "GPU 1 by bob since 20" in message
    assert not client.containers(all=True, filters={"name": f"{hub.prefix}-cy"})
    shown = refused_on_the_spawn_page(hub, "cy", "gpu")
    assert "No GPU is free for the profile 'gpu'" in shown, shown
    assert "GPU 0 by ann since 20" in shown, shown
    # A listed device is as exclusive as a counted one.
    refused = hub.api("POST", "/users/dan/server", json={"profile": "second"})
    assert refused.status_code == 409, refused.text
    assert "needs GPU 1, which is held: GPU 1 by bob since" in refused.json()["message"]

    # The admin page and the admin's command say who holds which.
    admin = hub.browser_session("ada").get(f"{hub.url}/hub/admin", timeout=30).text
    assert "GPU 0: ann since 20" in admin and "GPU 1: bob since 20" in admin
    shown = kaggle_hub(hub.env, "gpus")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].split() == ["GPU", "HELD", "BY", "SINCE", "MODEL", "USE"]
    assert lines[1].split()[:2] == ["0", "ann"]
    assert "Stand-in GPU  12 %, 2.0 of 16.0 GB" in lines[1]
    assert lines[2].split()[:2] == ["1", "bob"]

    # A restarted hub knows who holds what from the containers.
    hub.stop()
    hub.start()
    refused = hub.api("POST", "/users/cy/server", json={"profile": "gpu"})
    assert refused.status_code == 409, refused.text
    assert "GPU 0 by ann since" in refused.json()["message"]

    # A stop frees the devices at once.
    hub.stop_server("ann")
    hub.start_server("cy", options={"profile": "gpu"})
    assert given(record, client, f"{hub.prefix}-cy") == "0"
    # One member holds at most KAGGLE_HUB_GPUS_PER_USER, over all their servers.
    hub.stop_server("bob")
    refused = hub.api("POST", "/users/cy/servers/more", json={"profile": "gpu"})
    assert refused.status_code == 409, refused.text
    assert (
        "a member may hold 1 at once (KAGGLE_HUB_GPUS_PER_USER) and you hold 1"
        in (refused.json()["message"])
    )

    # A server that dies frees its devices, before the hub has noticed.
    hub.start_server("dan", options={"profile": "second"})
    assert given(record, client, f"{hub.prefix}-dan") == "1"
    client.kill(f"{hub.prefix}-dan")
    hub.start_server("bob", options={"profile": "gpu"})
    assert given(record, client, f"{hub.prefix}-bob") == "1"

    # A server without GPUs asks Docker for none.
    hub.start_server("ann", options={"profile": "cpu"})
    assert client.inspect_container(f"{hub.prefix}-ann")["HostConfig"]["DeviceRequests"] in (
        None,
        [],
    )
