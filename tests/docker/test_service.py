"""The hub as a system service: the unit, the hub started as the unit starts it, a crash
and restart, Docker restarted underneath, and users' server logs kept for the admin."""

import json
import os
import shlex
import signal
import stat
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from dotenv import dotenv_values

from ..dockerd import (
    live_restore_enabled,
    restart_dockerd,
    start_dockerd,
    stop_dockerd,
)
from ..hubprocess import REPO_DIR, UserServer, kaggle_hub
from ..waiting import wait_for

pytestmark = pytest.mark.docker


def deploy_service(*args, env):
    return subprocess.run(
        ["./deploy/service", *args],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture
def unit(tmp_path, image):
    """The unit as ``./deploy/service install`` writes it (systemd does not run here, so
    it is written to a folder of the test's)."""
    env = {
        **os.environ,
        "KAGGLE_HUB_UNIT_DIR": str(tmp_path),
        "KAGGLE_HUB_IMAGE": image,
        "KAGGLE_HUB_ENV_FILE": str(tmp_path / "hub.env"),
        "KAGGLE_HUB_TEAM_NAME": "Ann's \\ team",
    }
    installed = deploy_service("install", env=env)
    assert installed.returncode == 0, installed.stderr
    assert "the unit is written but not enabled, so nothing starts it" in installed.stderr
    assert "Run the hub with ./deploy/run here" in installed.stderr
    # The service reads only its .env: the shell's settings are carried over, and said so.
    assert "KAGGLE_HUB_IMAGE KAGGLE_HUB_TEAM_NAME" in installed.stderr
    assert dotenv_values(tmp_path / "hub.env", interpolate=False) == {
        "KAGGLE_HUB_TEAM_NAME": "Ann's \\ team",
        "KAGGLE_HUB_IMAGE": image,
    }
    assert stat.S_IMODE((tmp_path / "hub.env").stat().st_mode) == 0o600
    path = tmp_path / "kaggle-team-hub.service"
    yield path, env
    removed = deploy_service("uninstall", env=env)
    assert removed.returncode == 0, removed.stderr
    assert not path.exists()


def unit_service(path):
    """The unit's command, working directory and environment, as systemd runs it."""
    lines = path.read_text().splitlines()

    def values(key):
        return [line.split("=", 1)[1] for line in lines if line.startswith(f"{key}=")]

    env = dict(value.split("=", 1) for value in values("Environment"))
    return shlex.split(values("ExecStart")[0]), values("WorkingDirectory")[0], env


def test_the_unit_verifies_and_runs_from_the_checkout(unit):
    path, env = unit
    verify = subprocess.run(
        ["systemd-analyze", "verify", str(path)], capture_output=True, text=True, timeout=60
    )
    assert verify.returncode == 0, verify.stderr
    assert verify.stderr == ""
    text = path.read_text()
    for line in (
        "After=docker.service network-online.target",
        "Restart=always",
        "KillMode=process",
        "StandardOutput=journal",
        "WantedBy=multi-user.target",
    ):
        assert line in text.splitlines()
    command, workdir, unit_env = unit_service(path)
    assert command == [f"{REPO_DIR}/.venv/bin/jupyterhub", "-f", f"{REPO_DIR}/jupyterhub_config.py"]
    assert workdir == str(REPO_DIR)
    assert unit_env["PATH"].startswith(f"{REPO_DIR}/.venv/bin:")
    assert unit_env["KAGGLE_HUB_ENV_FILE"] == env["KAGGLE_HUB_ENV_FILE"]
    status = deploy_service("status", env=env)
    assert f"installed at {path}" in status.stderr


# Sends SIGHUP to every dockerd of the machine (the settings it reloads).
@pytest.mark.serial
def test_live_restore_is_added_to_dockers_settings(unit, tmp_path):
    daemon_json = tmp_path / "daemon.json"
    daemon_json.write_text('{"log-level": "warn"}\n')
    env = {**unit[1], "KAGGLE_HUB_DOCKER_DAEMON_JSON": str(daemon_json)}
    installed = deploy_service("install", "--live-restore", env=env)
    assert installed.returncode == 0, installed.stderr
    assert json.loads(daemon_json.read_text()) == {"log-level": "warn", "live-restore": True}
    assert "live-restore is on" in installed.stderr


def test_a_hub_run_as_the_unit_runs_it_survives_a_crash_with_servers_kept(unit, make_hub):
    command, workdir, unit_env = unit_service(unit[0])
    hub = make_hub(start=False)
    hub.start(command=command, cwd=workdir, env=unit_env)
    ann = UserServer(hub, "ann", hub.create_user("ann"))
    hub.start_server("ann")
    ann.put_text("code/keep.txt", "kept\n")

    hub.process.send_signal(signal.SIGKILL)  # a crash: systemd's Restart= starts it again
    hub.process.wait(30)
    hub.start(command=command, cwd=workdir, env=unit_env)
    assert "Taking over traefik" in hub.log()
    wait_for(lambda: ann.get("api/status").status_code == 200, 60, what="ann's server again")
    assert ann.read_text("code/keep.txt") == "kept\n"


# Servers running while Docker restarts: a team at work.
TEAM = 10


def working_team(hub):
    """TEAM users' running servers, each with a file of its own, by user name."""
    names = ["ann", *(f"t{i}" for i in range(1, TEAM))]
    servers = {name: UserServer(hub, name, hub.create_user(name)) for name in names}

    def start(name):
        hub.start_server(name)
        servers[name].put_text("code/keep.txt", f"{name}'s\n")

    with ThreadPoolExecutor(5) as pool:
        list(pool.map(start, names))
    return servers


def running_servers(hub, names):
    users = hub.api("GET", "/users").json()
    return {u["name"] for u in users if u["name"] in names and "" in u["servers"]}


@pytest.mark.serial
@pytest.mark.reliability
def test_docker_restarted_under_the_hub_is_noticed_and_servers_start_again(make_hub):
    hub = make_hub()
    team = working_team(hub)

    restarting = time.monotonic()
    restart_dockerd()
    wait_for(
        lambda: not running_servers(hub, team),
        60,
        interval=1,
        what="the hub noticing every server stopped",
    )
    noticed = time.monotonic() - restarting
    assert hub.process.poll() is None
    with ThreadPoolExecutor(5) as pool:
        list(pool.map(hub.start_server, team))
    for name, server in team.items():
        assert server.read_text("code/keep.txt") == f"{name}'s\n"
    print(f"Docker restarted under {TEAM} servers: all marked stopped {noticed:.1f} s after")

    logs = kaggle_hub(hub.env, "logs", "ann")
    assert logs.returncode == 0, logs.stderr
    assert f"===== {hub.prefix}-ann ended " in logs.stdout
    assert f"===== {hub.prefix}-ann running now" in logs.stdout
    assert "Jupyter Server" in logs.stdout


@pytest.fixture
def live_restore():
    """Docker with live-restore on for one test, and as it was afterwards."""
    before = live_restore_enabled()
    if not before:
        restart_dockerd(live_restore=True)
    yield
    if not before:
        restart_dockerd()


class Outage:
    """Requests to a server every 0.1 s from a thread, counting those that fail."""

    def __init__(self, server):
        self.server = server
        self.tried = self.failed = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._probe)

    def _probe(self):
        while not self.done.is_set():
            self.tried += 1
            try:
                ok = self.server.get("api/status", timeout=5).status_code == 200
            except requests.RequestException:
                ok = False
            self.failed += not ok
            time.sleep(0.1)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()


@pytest.mark.serial
@pytest.mark.reliability
def test_docker_restarted_with_live_restore_leaves_servers_and_kernels_running(
    live_restore, make_hub, docker_client
):
    hub = make_hub()
    team = working_team(hub)
    ann = team["ann"]
    kernel_id = ann.start_kernel("x = 41")

    with Outage(ann) as outage:
        restart_dockerd(live_restore=True)
        time.sleep(2)
    print(f"requests during the restart: {outage.tried}, failed: {outage.failed}")
    assert outage.failed == 0
    assert running_servers(hub, team) == set(team)
    assert ann.in_kernel(kernel_id, "print(x + 1)") == "42\n"
    for name, server in team.items():
        assert server.read_text("code/keep.txt") == f"{name}'s\n"

    # The hub follows Docker's events again: a death after the restart is noticed at once.
    docker_client.kill(f"{hub.prefix}-ann")
    wait_for(
        lambda: "" not in hub.api("GET", "/users/ann").json()["servers"],
        10,
        interval=0.2,
        what="the hub noticing ann's server died",
    )


@pytest.mark.serial
@pytest.mark.reliability
def test_a_hub_started_while_docker_is_down_waits_for_it_then_serves(make_hub):
    hub = make_hub()
    ann = UserServer(hub, "ann", hub.create_user("ann"))
    hub.start_server("ann")
    ann.put_text("code/keep.txt", "kept\n")
    hub.stop()

    stop_dockerd()
    try:
        hub.start(wait=False)
        wait_for(lambda: "is not answering; waiting up to" in hub.log(), 60, what="the hub waiting")
    finally:
        start_dockerd()
    wait_for(lambda: hub._answers(f"{hub.url}/hub/api/"), 60, what="the hub answering")
    assert "answers" in hub.log()
    # Docker stopped ann's container with it: the hub found the server stopped.
    assert "" not in hub.api("GET", "/users/ann").json()["servers"]
    hub.start_server("ann")
    assert ann.read_text("code/keep.txt") == "kept\n"
