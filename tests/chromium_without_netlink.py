#!/usr/bin/env python3
"""Start Debian's Chromium unable to watch this host's network interfaces.

Chromium watches the host's addresses through a NETLINK_ROUTE socket and, when one changes,
drops connections under way with net::ERR_NETWORK_CHANGED. On the test machine every
container a test starts adds an interface, whose IPv6 address comes some 2 s later, and the
hub's HTTPS answers to forms (HTTP/2 POSTs, which Chromium does not send again) were lost so
at random. A team member's browser runs on their own computer, away from the hub's Docker
interfaces; this puts the test browser in the same position.

A seccomp filter, inherited by every process Chromium starts, fails the socket with
EAFNOSUPPORT, and Chromium then takes itself to be online for good. Other sockets,
netlink's other protocols included, are untouched. Run as Chromium itself would be (the
arguments pass through unchanged).
"""

import ctypes
import errno
import os
import socket
import sys

CHROMIUM = "/usr/bin/chromium"
LIBSECCOMP = "libseccomp.so.2"

# From libseccomp's seccomp.h.
SCMP_ACT_ALLOW = 0x7FFF0000
SCMP_ACT_ERRNO = 0x00050000
SCMP_CMP_MASKED_EQ = 7
NETLINK_ROUTE = 0


class ArgCompare(ctypes.Structure):
    """libseccomp's struct scmp_arg_cmp."""

    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


def refuse_route_netlink():
    """Make socket(AF_NETLINK, *, NETLINK_ROUTE) fail with EAFNOSUPPORT in this process
    and every process it starts."""
    seccomp = ctypes.CDLL(LIBSECCOMP)
    seccomp.seccomp_init.restype = ctypes.c_void_p
    seccomp.seccomp_init.argtypes = [ctypes.c_uint32]
    seccomp.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    seccomp.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.c_void_p,
    ]
    seccomp.seccomp_load.argtypes = [ctypes.c_void_p]
    seccomp.seccomp_release.argtypes = [ctypes.c_void_p]

    filters = seccomp.seccomp_init(SCMP_ACT_ALLOW)
    if not filters:
        raise OSError("seccomp_init failed")
    try:
        # The socket's domain (argument 0) and protocol (argument 2), as 32-bit ints.
        compare = (ArgCompare * 2)(
            ArgCompare(0, SCMP_CMP_MASKED_EQ, 0xFFFFFFFF, socket.AF_NETLINK),
            ArgCompare(2, SCMP_CMP_MASKED_EQ, 0xFFFFFFFF, NETLINK_ROUTE),
        )
        syscall = seccomp.seccomp_syscall_resolve_name(b"socket")
        action = SCMP_ACT_ERRNO | errno.EAFNOSUPPORT
        rc = seccomp.seccomp_rule_add_array(filters, action, syscall, 2, compare)
        if rc:
            raise OSError(-rc, f"seccomp_rule_add_array: {os.strerror(-rc)}")
        rc = seccomp.seccomp_load(filters)
        if rc:
            raise OSError(-rc, f"seccomp_load: {os.strerror(-rc)}")
    finally:
        seccomp.seccomp_release(filters)


def main():
    try:
        refuse_route_netlink()
    except OSError as e:
        sys.exit(f"cannot keep Chromium off the host's netlink ({e}); is {LIBSECCOMP} installed?")
    os.execv(CHROMIUM, [CHROMIUM, *sys.argv[1:]])


if __name__ == "__main__":
    main()
