"""Restarting the Docker engine under a running hub, as an upgrade or a crash of Docker
would. The engine comes back the way ./deploy/test started it."""

import os
import signal
import subprocess
from pathlib import Path

import docker

from .waiting import wait_for

PID_FILE = Path("/var/run/docker.pid")
LOG = os.environ.get("KAGGLE_HUB_DOCKERD_LOG", "/var/log/kaggle-team-hub-dockerd.log")


def _answers():
    return docker.APIClient(version="auto", timeout=5).ping()


def restart_dockerd():
    """Stop dockerd (its containers stop with it, as without live-restore) and start it
    again; return when it answers."""
    if Path("/run/systemd/system").is_dir():
        subprocess.run(["systemctl", "restart", "docker"], check=True, timeout=120)
    else:
        pid = int(PID_FILE.read_text().strip())
        os.kill(pid, signal.SIGTERM)
        wait_for(lambda: not Path(f"/proc/{pid}").exists(), 60, what="dockerd stopped")
        with open(LOG, "ab") as log:
            subprocess.Popen(
                ["dockerd"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
    wait_for(_answers, 60, interval=0.5, what="dockerd answering again")
