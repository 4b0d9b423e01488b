"""``python -m spawner.hub.logfile DIR``: the hub's output, copied from standard input to
the terminal and to ``DIR/hub.log``, rotated at 10 MB with five old files kept.

``./deploy/run`` sends the hub's output through it (traefik, which outlives the hub, has a
log of its own); under systemd the journal keeps the log instead.
"""

import logging
import logging.handlers
import signal
import sys
from pathlib import Path

MAX_BYTES = 10 * 1024**2
BACKUPS = 5


def rotating_log(log_dir):
    """A logger writing plain lines to ``log_dir/hub.log``, rotated."""
    Path(log_dir).mkdir(mode=0o700, parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        Path(log_dir) / "hub.log", maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(message)s"))
    log = logging.Logger("kaggle-team-hub-output")
    log.addHandler(handler)
    return log


def tee(lines, out, log):
    for line in lines:
        log.info(line.rstrip("\n"))
        if out is not None:
            try:
                out.write(line)
                out.flush()
            except OSError:
                out = None  # the terminal went away: the file keeps every line


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    # A Ctrl-C, a SIGTERM to the whole group or a closed terminal stops the hub; this copy
    # ends when the hub's output does, so the file has the hub's last lines too.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    tee(sys.stdin, sys.stdout, rotating_log(argv[0]))


if __name__ == "__main__":
    main()
