"""Progress of long copies on the admin's terminal: a bar, bytes and speed.

A ``Meters`` is what the volume operations take as ``meter``: called with what is being done
and the bytes expected, it gives the progress callback of that step.
"""

import time

from ..sizes import human_size


def bar(fraction, width=30):
    filled = int(fraction * width)
    return f"[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%}"


class Meter:
    """Called with the bytes done so far; redraws one terminal line at most every
    ``interval`` seconds, and writes nothing when ``out`` is not a terminal."""

    def __init__(self, out, what, total=None, interval=0.2, clock=time.monotonic):
        self.out = out
        self.what = what
        self.total = total
        self.interval = interval
        self.clock = clock
        self.began = clock()
        self.shown = None
        self.done = 0
        self.summary = None
        self.live = bool(getattr(out, "isatty", lambda: False)())

    def __call__(self, done):
        self.done = done
        now = self.clock()
        if self.live and (self.shown is None or now - self.shown >= self.interval):
            self.shown = now
            self.out.write(f"\r{self.line()}\033[K")
            self.out.flush()

    def line(self):
        done = human_size(self.done)
        if self.total:
            done = f"{bar(min(self.done / self.total, 1.0))} {done} of {human_size(self.total)}"
        return f"  {self.what}: {done}, {self.speed()}"

    def speed(self):
        elapsed = max(self.clock() - self.began, 1e-6)
        return f"{human_size(self.done / elapsed)}/s"

    def elapsed(self):
        return self.clock() - self.began

    def finish(self):
        """End the live line (once); return a summary such as '1.2 GB in 14.0 s, 87.7 MB/s'."""
        if self.summary is None:
            if self.live and self.shown is not None:
                self.out.write(f"\r{self.line()}\033[K\n")
            self.summary = f"{human_size(self.done)} in {self.elapsed():.1f} s, {self.speed()}"
        return self.summary


class Meters:
    """One Meter per step of an operation, on ``out``; ``last`` is the latest."""

    def __init__(self, out):
        self.out = out
        self.last = None

    def __call__(self, what, total=None):
        if self.last is not None:
            self.last.finish()
        self.last = Meter(self.out, what, total)
        return self.last

    def finish(self):
        return self.last.finish() if self.last else ""
