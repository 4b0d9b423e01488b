"""Pulls through a real registry: progress on the spawn page, one pull shared by spawns,
pre-pulling at hub start and by command, a registry that hangs, and other users' spawns
going on meanwhile."""

import json
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ..hubprocess import ANSWER_AT_ONCE, kaggle_hub
from ..registry import Registry, SilentRegistry
from ..waiting import wait_for

pytestmark = [pytest.mark.docker]

# What the spawns pull: the lite image and a layer of its own, of random data (so that its
# download shows progress and takes seconds on this machine, long enough for a second spawn
# to join it). Taking this image off the machine takes nothing the other tests' servers run,
# as a release of the team's image shares its base layers with the one before.
PULLED_LAYER_MB = 64
# The registry's storage outlives the run, beside the built images: a push finds the lite
# image's layers there (a gigabyte it otherwise compresses and sends each run) and the
# pulled layer too, as its content and file times are the same each run. Pulls are not
# spared: the image is taken off the machine before each.
CACHE = Path(os.environ.get("KAGGLE_HUB_CACHE_DIR", "/var/cache/kaggle-team-hub"))


def registry_storage(client, image):
    """The kept storage for ``image`` (one folder per build of it; earlier ones removed)."""
    name = f"test-registry-{client.inspect_image(image)['Id'].split(':')[1][:12]}"
    for old in CACHE.glob("test-registry-*"):
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)
    return CACHE / name


@pytest.fixture(scope="module")
def registry_copy(tmp_path_factory, docker_client, image):
    """The image the spawns pull, in a registry on 127.0.0.1, as its remote tag."""
    storage = registry_storage(docker_client, image)
    registry = Registry(tmp_path_factory.mktemp("registry"), storage).start()
    context = tmp_path_factory.mktemp("pulled")
    layer = context / "layer.bin"
    layer.write_bytes(random.Random(PULLED_LAYER_MB).randbytes(PULLED_LAYER_MB * 1024 * 1024))
    os.utime(layer, (0, 0))
    (context / "Dockerfile").write_text(f"FROM {image}\nCOPY layer.bin /release-notes.bin\n")
    remote = f"{registry.host}/team/kaggle:{secrets.token_hex(3)}"
    subprocess.run(["docker", "build", "-q", "-t", remote, str(context)], check=True)
    repository, tag = remote.rsplit(":", 1)
    for line in docker_client.push(repository, tag, stream=True, decode=True):
        assert "error" not in line, line
    yield remote
    if docker_client.images(remote):
        docker_client.remove_image(remote)
    registry.stop()


@pytest.fixture
def remote_image(docker_client, registry_copy):
    """The registry copy, taken off this machine so that a spawn must pull its layer."""
    if docker_client.images(registry_copy):
        docker_client.remove_image(registry_copy)
    assert not docker_client.images(registry_copy)
    return registry_copy


def spawn_and_follow(hub, user, options=None):
    """Start ``user``'s server and read its progress stream to the end."""
    r = hub.api("POST", f"/users/{user}/server", json=options)
    assert r.status_code in (201, 202), r.text
    return hub.progress_events(user)


def pull_messages(events):
    return [e for e in events if e.get("message", "").startswith("Pulling image")]


NO_PREPULL = {"KAGGLE_HUB_PREPULL": "0"}


def test_a_spawn_pulls_the_missing_image_with_progress_and_shares_the_pull(make_hub, remote_image):
    hub = make_hub(env={"KAGGLE_HUB_IMAGE": remote_image, **NO_PREPULL}, dropins=ANSWER_AT_ONCE)
    for user in ("ann", "bob"):
        hub.create_user(user)
    with ThreadPoolExecutor(2) as pool:
        ann, bob = pool.map(lambda u: spawn_and_follow(hub, u), ("ann", "bob"))

    for events in (ann, bob):
        pulls = pull_messages(events)
        assert len(pulls) >= 2, events
        percents = [e["progress"] for e in events if "progress" in e]
        assert percents == sorted(percents), percents
        assert pulls[0]["progress"] < pulls[-1]["progress"]
        assert "MB downloaded" in pulls[-1]["message"]
        assert any(
            re.search(r"; layer \w+ (downloading|extracting): ", e["message"]) for e in pulls
        )
        messages = [e.get("message", "") for e in events]
        after_pull = messages[messages.index(pulls[-1]["message"]) + 1 :]
        assert any(m.startswith("Starting container") for m in after_pull)
        assert any(m.startswith("JupyterLab answers") for m in after_pull)
        assert events[-1]["ready"] is True
    assert hub.log().count(f"Pulling image {remote_image}") == 1
    assert hub.log().count(f"waits for the pull of {remote_image}") == 1


def test_after_the_pull_command_a_spawn_pulls_nothing(make_hub, docker_client, remote_image):
    hub = make_hub(env={"KAGGLE_HUB_IMAGE": remote_image, **NO_PREPULL})
    pulled = kaggle_hub(hub.env, "pull")
    assert pulled.returncode == 0, pulled.stdout + pulled.stderr
    assert docker_client.images(remote_image)

    hub.create_user("cy")
    events = spawn_and_follow(hub, "cy")
    assert events[-1]["ready"] is True
    assert pull_messages(events) == []
    assert f"Pulling image {remote_image}" not in hub.log()


def test_the_hub_pre_pulls_at_start_and_a_spawn_afterwards_pulls_nothing(
    make_hub, docker_client, remote_image
):
    hub = make_hub(env={"KAGGLE_HUB_IMAGE": remote_image})
    wait_for(lambda: f"Pre-pulled image {remote_image} in" in hub.log(), 300, what="pre-pull")
    assert docker_client.images(remote_image)
    assert hub.log().count(f"Pre-pulling image {remote_image}") == 1

    hub.create_user("gus")
    events = spawn_and_follow(hub, "gus")
    assert events[-1]["ready"] is True
    assert pull_messages(events) == []
    assert hub.log().count(f"Pulling image {remote_image}") == 1


STALL = "c.KaggleSpawner.pull_stall_seconds = {seconds}\n"


def test_a_registry_that_never_answers_fails_the_spawn_with_a_message(make_hub, docker_client):
    silent = SilentRegistry().start()
    hanging = f"{silent.host}/team/kaggle:1"
    try:
        hub = make_hub(
            env={"KAGGLE_HUB_IMAGE": hanging, **NO_PREPULL},
            dropins={"50-stall.py": STALL.format(seconds=3)},
        )
        hub.create_user("dee")
        r = hub.api("POST", "/users/dee/server")
        if r.status_code == 202:
            events = hub.progress_events("dee")
            message = events[-1]["message"]
        else:
            message = r.json()["message"]
        assert message.startswith(
            f"Pulling the image '{hanging}' stalled: the registry sent nothing for 3 s"
        )
        assert "kaggle-hub pull" in message
        assert hub.api("GET", "/users/dee").json()["servers"] == {}
    finally:
        silent.stop()


def test_other_users_start_and_stop_while_a_pull_hangs(make_hub, image, tmp_path):
    silent = SilentRegistry().start()
    hanging = f"{silent.host}/team/kaggle:1"
    offer = tmp_path / "profiles.json"
    offer.write_text(
        json.dumps([{"name": "local", "default": True}, {"name": "remote", "image": hanging}])
    )
    try:
        hub = make_hub(
            env={"KAGGLE_HUB_PROFILES_FILE": str(offer), **NO_PREPULL},
            dropins={"50-stall.py": STALL.format(seconds=60)},
        )
        for user in ("eva", "fin"):
            hub.create_user(user)
        with ThreadPoolExecutor(1) as pool:
            hung = pool.submit(hub.api, "POST", "/users/eva/server", json={"profile": "remote"})
            wait_for(
                lambda: hub.api("GET", "/users/eva").json()["servers"].get("", {}).get("pending"),
                30,
                what="eva's spawn pending",
            )
            started = time.monotonic()
            hub.start_server("fin")
            hub.stop_server("fin")
            took = time.monotonic() - started
            eva = hub.api("GET", "/users/eva").json()["servers"][""]
            assert eva["pending"] == "spawn", eva
            assert f"Pulling image {hanging}" in hub.log()
            assert hung.result().status_code == 202
        print(f"fin started and stopped in {took:.1f} s while eva's pull hung")
    finally:
        silent.stop()


def test_a_spawn_during_the_pre_pull_follows_it_and_a_hanging_pull_never_holds_up_a_stop(
    make_hub,
):
    silent = SilentRegistry().start()
    hanging = f"{silent.host}/team/kaggle:1"
    try:
        hub = make_hub(
            env={"KAGGLE_HUB_IMAGE": hanging},
            dropins={"50-stall.py": STALL.format(seconds=20)},
        )
        wait_for(lambda: f"Pre-pulling image {hanging}" in hub.log(), 10, what="pre-pull")
        hub.create_user("hal")
        r = hub.api("POST", "/users/hal/server")
        assert r.status_code == 202, r.text
        wait_for(
            lambda: f"waits for the pull of {hanging} already under way" in hub.log(),
            10,
            what="hal's spawn joining the pre-pull",
        )
        assert hub.log().count(f"Pulling image {hanging}") == 1

        started = time.monotonic()
        hub.process.send_signal(signal.SIGTERM)
        hub.process.wait(15)
        print(f"the hub stopped {time.monotonic() - started:.1f} s after SIGTERM, pull hanging")
    finally:
        silent.stop()
