"""The copy of the hub's output into hub.log outlives the signals that stop the hub."""

import signal
import subprocess
import sys
import time

from spawner.settings.environment import REPO_DIR

from ...waiting import wait_for


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
    # The copy ignores the signals before it copies a line: once the line is in the file,
    # they are ignored (a fixed wait lost the race on a busy machine).
    log = tmp_path / "hub.log"
    wait_for(lambda: log.exists() and log.read_text(), 30, what="the first line copied")
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
