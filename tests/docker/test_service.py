"""The hub as a system service: the unit, the hub started as the unit starts it, a crash
and restart, Docker restarted underneath, and users' server logs kept for the admin."""

import json
import os
import shlex
import signal
import subprocess

import pytest

from ..dockerd import restart_dockerd
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
        "KAGGLE_HUB_ENV_FILE": str(tmp_path / "none.env"),
    }
    installed = deploy_service("install", env=env)
    assert installed.returncode == 0, installed.stderr
    assert "systemd is not running on this machine" in installed.stderr
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
        "Restart=on-failure",
        "KillMode=mixed",
        "StandardOutput=journal",
        "WantedBy=multi-user.target",
    ):
        assert line in text.splitlines()
    command, workdir, unit_env = unit_service(path)
    assert command == [f"{REPO_DIR}/.venv/bin/jupyterhub", "-f", f"{REPO_DIR}/jupyterhub_config.py"]
    assert workdir == str(REPO_DIR)
    assert unit_env["PATH"].startswith(f"{REPO_DIR}/.venv/bin:")
    status = deploy_service("status", env=env)
    assert f"installed at {path}" in status.stderr


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
    assert "left behind by an earlier hub" in hub.log()
    wait_for(lambda: ann.get("api/status").status_code == 200, 60, what="ann's server again")
    assert ann.read_text("code/keep.txt") == "kept\n"


def test_docker_restarted_under_the_hub_is_noticed_and_servers_start_again(make_hub):
    hub = make_hub(dropins={"50-poll.py": "c.KaggleSpawner.poll_interval = 2\n"})
    ann = UserServer(hub, "ann", hub.create_user("ann"))
    hub.start_server("ann")
    ann.put_text("code/keep.txt", "kept\n")

    restart_dockerd()
    wait_for(
        lambda: "" not in hub.api("GET", "/users/ann").json()["servers"],
        60,
        interval=1,
        what="the hub noticing ann's server stopped",
    )
    assert hub.process.poll() is None
    hub.start_server("ann")
    assert ann.read_text("code/keep.txt") == "kept\n"

    logs = kaggle_hub(hub.env, "logs", "ann")
    assert logs.returncode == 0, logs.stderr
    assert f"===== {hub.prefix}-ann ended " in logs.stdout
    assert f"===== {hub.prefix}-ann running now" in logs.stdout
    assert "Jupyter Server" in logs.stdout
