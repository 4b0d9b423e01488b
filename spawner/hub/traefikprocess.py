"""The traefik process, which outlives the hub: started in a session of its own (a Ctrl-C
in the hub's terminal does not reach it) with its output in a file of its own, and taken
over by the next hub from the pid file.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

from .datadir import hub_paths

LOG_MAX_BYTES = 10 * 1024**2
# traefik's static configuration, in the data dir's proxy folder.
STATIC_CONFIG_NAME = "traefik.toml"
EXIT_POLL_SECONDS = 0.05


def launch(static_config_file, env, log_path):
    """Start traefik on ``static_config_file``, its output appended to ``log_path`` (the
    file before is kept as ``.1`` once it passes 10 MB)."""
    log_path = Path(log_path)
    if log_path.exists() and log_path.stat().st_size > LOG_MAX_BYTES:
        log_path.replace(log_path.with_name(log_path.name + ".1"))
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            ["traefik", "--configfile", os.path.abspath(static_config_file)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def static_config_file(proxy_dir):
    return os.path.join(proxy_dir, STATIC_CONFIG_NAME)


def running_traefik(pid_file, static_config_file):
    """The traefik an earlier hub left running: the one in ``pid_file``, else (the file
    lost with the data dir) the one started on ``static_config_file``; None if none runs."""
    try:
        pid = int(Path(pid_file).read_text().strip())
    except (OSError, ValueError):
        pid = None
    if pid is not None and _is_running_traefik(pid):
        return pid
    wanted = os.path.abspath(static_config_file).encode()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            argv = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if wanted in argv[1:] and _is_running_traefik(int(proc.name)):
            return int(proc.name)
    return None


def left_running(data_dir):
    """The traefik a hub with ``data_dir`` left running (it stopped), or None."""
    paths = hub_paths(data_dir)
    return running_traefik(paths["proxy_pid_file"], static_config_file(paths["proxy_dir"]))


def _is_running_traefik(pid):
    try:
        program = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0]
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return os.path.basename(program) == b"traefik" and state != "Z"


def runs_program(pid, program):
    """Whether process ``pid`` runs the executable file ``program`` as it is now (an
    upgrade that replaced the file leaves the process on the old one)."""
    try:
        return os.readlink(f"/proc/{pid}/exe") == os.path.realpath(program)
    except OSError:
        return False


class TakenOver:
    """A traefik an earlier hub started, with what the hub uses of a ``Popen``: it is not
    this process's child, so its exit code is unknown."""

    returncode = None

    def __init__(self, pid):
        self.pid = pid

    def poll(self):
        if self.returncode is None and not _is_running_traefik(self.pid):
            self.returncode = "unknown (started by an earlier hub)"
        return self.returncode

    def send_signal(self, sig):
        try:
            os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def terminate(self):
        self.send_signal(signal.SIGTERM)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def wait(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(["traefik"], timeout)
            time.sleep(EXIT_POLL_SECONDS)
        return self.returncode

    def communicate(self, timeout=None):
        self.wait(timeout)
        return None, None


def stop(process, grace):
    """SIGTERM ``process`` (a ``Popen`` or ``TakenOver``), SIGKILL after ``grace`` s."""
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(grace)
