"""Stopping and starting the Docker engine under a running hub, as an upgrade or a crash
of Docker would. The engine comes back the way ./deploy/test started it, optionally with
live-restore on (which needs dockerd started by ./deploy/test, not by systemd)."""

import json
import os
import signal
import subprocess
from pathlib import Path

import docker

from .waiting import wait_for

PID_FILE = Path("/var/run/docker.pid")
DAEMON_JSON = Path("/etc/docker/daemon.json")
LOG = os.environ.get("KAGGLE_HUB_DOCKERD_LOG", "/var/log/kaggle-team-hub-dockerd.log")


def _systemd():
    return Path("/run/systemd/system").is_dir()


def answers():
    try:
        return docker.APIClient(version="auto", timeout=5).ping()
    except docker.errors.DockerException:
        return False


def live_restore_enabled():
    return docker.APIClient(version="auto", timeout=5).info()["LiveRestoreEnabled"]


def _gone(pid):
    """Whether dockerd ``pid`` has exited (reaped, when this process started it)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
    return not Path(f"/proc/{pid}").exists()


def stop_dockerd():
    """Stop dockerd; without live-restore its containers stop with it."""
    if _systemd():
        subprocess.run(["systemctl", "stop", "docker"], check=True, timeout=120)
        return
    pid = int(PID_FILE.read_text().strip())
    os.kill(pid, signal.SIGTERM)
    wait_for(lambda: _gone(pid), 60, what="dockerd stopped")


def start_dockerd(live_restore=False):
    """Start dockerd; return when it answers."""
    if _systemd() and not live_restore:
        subprocess.run(["systemctl", "start", "docker"], check=True, timeout=120)
    else:
        assert not _systemd(), "live-restore here needs dockerd started by ./deploy/test"
        configured = DAEMON_JSON.exists() and "live-restore" in json.loads(DAEMON_JSON.read_text())
        flags = ["--live-restore"] if live_restore and not configured else []
        with open(LOG, "ab") as log:
            subprocess.Popen(
                ["dockerd", *flags],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
    wait_for(answers, 60, interval=0.5, what="dockerd answering again")


def restart_dockerd(live_restore=False):
    stop_dockerd()
    start_dockerd(live_restore)
