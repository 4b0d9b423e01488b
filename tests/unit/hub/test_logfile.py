"""The copy of the hub's output into hub.log outlives the signals that stop the hub."""

import signal
import subprocess
import sys
import time

from spawner.settings.environment import REPO_DIR


def test_a_sigterm_to_the_group_leaves_the_hubs_last_lines_in_the_file(tmp_path):
    copy = subprocess.Popen(
        [sys.executable, "-m", "spawner.hub.logfile", str(tmp_path)],
        cwd=REPO_DIR,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    copy.stdin.write("[I] JupyterHub is now running\n")
    copy.stdin.flush()
    time.sleep(0.5)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        copy.send_signal(signum)
    time.sleep(0.5)
    assert copy.poll() is None
    copy.stdin.write("[I] Received signal SIGTERM, initiating shutdown...\n[I] Cleaning up\n")
    copy.stdin.close()
    assert copy.wait(10) == 0
    assert (tmp_path / "hub.log").read_text().splitlines() == [
        "[I] JupyterHub is now running",
        "[I] Received signal SIGTERM, initiating shutdown...",
        "[I] Cleaning up",
    ]
