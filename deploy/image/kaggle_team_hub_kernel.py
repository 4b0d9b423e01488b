"""Telling a notebook's user what went wrong in words: why their kernel restarted when it
ran out of memory, and what the hub said when kaggle_secrets was refused; and putting the
kernel first in line when the machine runs out of memory.

Docker gives every process of a server an OOM score adjustment of 500, so the kernel's
out-of-memory killer takes users' processes before the hub's. Each kernel raises its own
to 1000 (a process may raise its own without privileges), and the processes it starts
inherit it: when the whole machine runs short, the notebook code that used the memory
goes first, not a server process, the teammate's or the owner's own.

A kernel that outgrows its server's memory limit is killed by the system; Jupyter starts
it again and JupyterLab says only that it "died". This IPython extension, loaded into
every kernel by ipython_kernel_config.py, keeps the server's count of processes killed
for memory as it was when the kernel started, under the kernel's connection file (which
stays the same when Jupyter restarts that kernel). A restarted kernel that finds the
count grown says why, and what the limit is, in the output of the first cell it runs.

Files the notebook writes in the team folder are recorded as its member's
(kaggle_team_hub_team.py).

Kaggle's kaggle_secrets puts the service's whole answer, a Python dict, into its
BackendError ("Unexpected response from the service. Response: {'wasSuccessful': False,
'errors': [...]}"); the traceback's last line shows the hub's own sentence instead.
"""

import ast
import os
import sys
from pathlib import Path

import kaggle_team_hub_team

CGROUP = Path("/sys/fs/cgroup")
STATE_DIR = Path("/tmp/kaggle-team-hub-kernels")
NO_LIMIT = 1 << 60
OOM_SCORE_ADJ = Path("/proc/self/oom_score_adj")
KERNEL_OOM_SCORE_ADJ = 1000


def _cgroup_value(names, key=None):
    """The first readable of cgroup files ``names`` (v2 then v1): the whole value, or the
    number after ``key`` in a 'key value' list; None when none is readable."""
    for name in names:
        try:
            text = (CGROUP / name).read_text()
        except OSError:
            continue
        if key is None:
            return text.strip()
        for line in text.splitlines():
            field, _, value = line.partition(" ")
            if field == key and value.strip().isdigit():
                return int(value)
    return None


def oom_kills():
    """Processes of this server killed for memory so far, or None if not known."""
    return _cgroup_value(["memory.events", "memory/memory.oom_control"], key="oom_kill")


def memory_limit():
    """The server's memory limit in bytes, or None when it has none."""
    raw = _cgroup_value(["memory.max", "memory/memory.limit_in_bytes"])
    if raw is None or not raw.isdigit() or int(raw) >= NO_LIMIT:
        return None
    return int(raw)


def readable(size):
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            break
        size /= 1024
    return f"{size:.1f} {unit}"


def notice(limit):
    limit_text = (
        f"this server's memory limit is {readable(limit)}, shared by its kernels and terminals"
        if limit
        else "this server has no memory limit of its own: the machine itself ran out"
    )
    return (
        "Your previous kernel was stopped because it ran out of memory "
        f"({limit_text}). Variables from before are gone: run the notebook again from the "
        "top using less memory (smaller batches, fewer copies of data frames, del what you "
        "no longer need), or ask an admin for a server profile with more memory.\n"
    )


def changed_since_last_start(key, count):
    """Whether ``count`` grew since the kernel ``key`` last started; remember ``count``."""
    STATE_DIR.mkdir(mode=0o700, exist_ok=True)
    state = STATE_DIR / key
    try:
        before = int(state.read_text())
    except (OSError, ValueError):
        before = None
    state.write_text(str(count))
    return before is not None and count > before


def _kernel_key():
    from ipykernel.kernelapp import IPKernelApp

    if not IPKernelApp.initialized():
        return None
    return os.path.basename(IPKernelApp.instance().connection_file) or None


def hub_words(message):
    """The ``errors`` of the service's answer quoted in a kaggle_secrets BackendError
    ``message``, as one sentence; None when the message quotes no such answer."""
    _, found, quoted = message.partition("Response: ")
    if not found:
        return None
    try:
        answer = ast.literal_eval(quoted.strip().removesuffix("."))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None
    errors = answer.get("errors") if isinstance(answer, dict) else None
    if not errors or not all(isinstance(error, str) for error in errors):
        return None
    return " ".join(errors)


def show_hub_words(shell, etype, value, tb, tb_offset=None):
    """IPython's traceback, ending in the hub's words for a kaggle_secrets BackendError."""
    if etype.__name__ == "BackendError" and etype.__module__.startswith("kaggle"):
        words = hub_words(str(value))
        if words is not None:
            value = etype(words)
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)


def first_to_go(path=OOM_SCORE_ADJ):
    """Raise this process's OOM score adjustment to the highest; False if it cannot."""
    try:
        path.write_text(str(KERNEL_OOM_SCORE_ADJ))
    except OSError:
        return False
    return True


def load_ipython_extension(ipython):
    first_to_go()
    kaggle_team_hub_team.record_writes()
    ipython.set_custom_exc((Exception,), show_hub_words)
    count = oom_kills()
    key = _kernel_key()
    if count is None or key is None or not changed_since_last_start(key, count):
        return
    message = notice(memory_limit())

    def tell(*args):
        ipython.events.unregister("pre_run_cell", tell)
        print(message, file=sys.stderr, end="", flush=True)

    ipython.events.register("pre_run_cell", tell)
