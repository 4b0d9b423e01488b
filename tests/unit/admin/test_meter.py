"""The progress line of long copies on the admin's terminal."""

import io

from spawner.admin.meter import Meter, bar


class Terminal(io.StringIO):
    def isatty(self):
        return True


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_bar_shows_the_fraction():
    assert bar(0.5, width=10) == "[#####.....]  50%"


def test_a_terminal_sees_bytes_of_total_and_speed_at_most_every_interval():
    out, clock = Terminal(), Clock()
    meter = Meter(out, "backup", total=4 * 1024**2, interval=1.0, clock=clock)
    clock.now += 1
    meter(1024**2)
    meter(2 * 1024**2)  # within the interval: not redrawn
    assert out.getvalue().count("\r") == 1
    assert "backup: [#######.......................]  25% 1.0 MB of 4.0 MB, 1.0 MB/s" in (
        out.getvalue()
    )
    clock.now += 1
    meter(4 * 1024**2)
    assert out.getvalue().count("\r") == 2
    assert meter.finish() == "4.0 MB in 2.0 s, 2.0 MB/s"
    assert out.getvalue().endswith("\n")


def test_without_a_terminal_only_the_summary_is_given():
    out, clock = io.StringIO(), Clock()
    meter = Meter(out, "restore", clock=clock)
    clock.now += 4
    meter(8 * 1024**2)
    assert out.getvalue() == ""
    assert meter.finish() == "8.0 MB in 4.0 s, 2.0 MB/s"
