"""The test browser runs as a team member's would: unaware of the interfaces Docker adds to
this host for the tests' containers (tests/chromium_without_netlink.py says why)."""

import errno
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from ..browser import CHROMIUM

pytestmark = pytest.mark.e2e

TRY_SOCKETS = """
import socket, sys
sys.path.insert(0, {tests!r})
from chromium_without_netlink import refuse_route_netlink
refuse_route_netlink()
for family, kind, protocol in {sockets!r}:
    try:
        socket.socket(family, kind, protocol).close()
        print("opened")
    except OSError as e:
        print(e.errno)
"""


def test_the_filter_refuses_route_netlink_and_nothing_else():
    sockets = [
        (int(socket.AF_NETLINK), int(socket.SOCK_RAW), 0),  # NETLINK_ROUTE: refused
        (int(socket.AF_NETLINK), int(socket.SOCK_RAW), 15),  # NETLINK_KOBJECT_UEVENT
        (int(socket.AF_INET), int(socket.SOCK_STREAM), 0),
        (int(socket.AF_UNIX), int(socket.SOCK_STREAM), 0),
    ]
    tests = str(Path(CHROMIUM).parent)
    run = subprocess.run(
        [sys.executable, "-c", TRY_SOCKETS.format(tests=tests, sockets=sockets)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout.split() == [str(errno.EAFNOSUPPORT), "opened", "opened", "opened"]


def test_chromium_started_so_takes_itself_online_and_loads_pages():
    run = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--dump-dom",
            "data:text/html,<p>loaded</p>",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "<p>loaded</p>" in run.stdout, run.stderr
    assert "Could not create NETLINK socket" in run.stderr, run.stderr
