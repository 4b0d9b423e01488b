"""The logs of users' servers, kept after their containers are removed, so that an admin
can read why a server died (``kaggle-hub logs USER``).

Each server has one file, ``{log_dir}/{container name}.log``: the last lines of each run,
newest last, with a header naming the run's end. The file is capped at ``MAX_BYTES``; the
oldest runs go first.
"""

import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from ..sizes import human_size

MAX_BYTES = 1024**2
TAIL_LINES = 2000
# Lines of a starting server's log read for why it failed: JupyterHub 6's server logs the
# hub being unreachable with a traceback of some 55 lines after the line that says so.
START_LOG_LINES = 200
# What jupyterhub-singleuser logs when it cannot reach the hub's API (it then retries for
# about 45 s before it exits).
HUB_UNREACHABLE = "Failed to connect to my Hub at"
# Docker's own log of a running container: json-file, rotated, so a chatty notebook
# cannot fill the disk.
LOG_CONFIG = {"type": "json-file", "config": {"max-size": "10m", "max-file": "3"}}


def exit_words(code):
    """Docker's exit code of a server, with what it means in plain words."""
    if code == 0:
        return "exit code 0: it stopped normally"
    if code == 137:
        return (
            "exit code 137: it was killed (SIGKILL): a stop that did not finish in time, a "
            "docker kill, or the machine running out of memory"
        )
    if code == 143:
        return "exit code 143: it was stopped (SIGTERM)"
    if isinstance(code, int) and code > 128:
        return f"exit code {code}: it was killed by signal {code - 128}"
    return f"exit code {code}: it failed (its log's last lines say why)"


def run_status(state):
    """How a run ended, from Docker's container ``state``."""
    if state.get("OOMKilled"):
        return f"exit code {state.get('ExitCode')}: killed, out of memory"
    return exit_words(state.get("ExitCode"))


def finished_at(state):
    """When Docker says the container stopped (None if it has not, or cannot say)."""
    raw = state.get("FinishedAt") or ""
    if not raw or raw.startswith("0001-"):
        return None
    # Docker writes nanoseconds; Python reads at most microseconds.
    head, _, rest = raw.rstrip("Z").partition(".")
    fraction = "".join(ch for ch in rest if ch.isdigit())[:6]
    try:
        when = datetime.fromisoformat(head + (f".{fraction}" if fraction else ""))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC)


def log_path(log_dir, container_name):
    return Path(log_dir) / f"{container_name}.log"


def header(container_name, status, now=None):
    now = now or datetime.now(UTC)
    return f"===== {container_name} ended {now.isoformat(timespec='seconds')}: {status} =====\n"


def keep(log_dir, container_name, text, status, max_bytes=MAX_BYTES, now=None):
    """Append one run's log to the server's file, trimming the oldest lines past
    ``max_bytes``; return the file's path."""
    path = log_path(log_dir, container_name)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    old = path.read_bytes() if path.exists() else b""
    new = old + header(container_name, status, now).encode() + text.encode("utf-8", "replace")
    if not new.endswith(b"\n"):
        new += b"\n"
    if len(new) > max_bytes:
        new = new[-max_bytes:]
        new = new[new.find(b"\n") + 1 :]
    # Two stops of one server (a deletion racing a failed start) may keep its log at once:
    # each writes its own temporary file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        out.write(new)
    os.replace(tmp, path)
    return path


def exit_message(state, tail, mem_limit, command):
    """Why a server stopped while starting, for the person waiting on the spawn page."""
    if state.get("OOMKilled"):
        limit = f" ({human_size(mem_limit)})" if mem_limit else ""
        reason = (
            f"it ran out of memory: its memory limit{limit} is too small for JupyterLab to "
            "start. Pick a profile with more memory, or ask an admin to raise the limit"
        )
    elif state.get("Running"):
        reason = (
            "it cannot reach the hub's API (a firewall on this machine, or KAGGLE_HUB_API_IP "
            "set to an address the user network cannot reach)"
        )
        tail = "\n".join(line for line in tail.splitlines() if HUB_UNREACHABLE in line)
    elif state.get("ExitCode") is None:
        reason = "its container was removed"
    else:
        reason = f"it exited ({exit_words(state['ExitCode'])})"
    lines = [line for line in tail.splitlines() if line.strip()]
    quoted = ("; its log ends: " + " | ".join(lines[-3:])) if lines else ""
    return f"Your server stopped while starting: {reason}{quoted}. The whole log: {command}."


def death_reason(state, mem_limit):
    """Why a running server's container died, as the rest of "Your server ..."."""
    if state.get("OOMKilled"):
        limit = f" of {human_size(mem_limit)}" if mem_limit else ""
        return (
            f"stopped: it ran out of memory (its limit{limit}). Start it again; with a "
            "profile with more memory if there is one"
        )
    return f"stopped unexpectedly ({exit_words(state.get('ExitCode'))}). Start it again"
