"""Knowing the moment a single-user server answers, without the hub's back-off."""

import asyncio
import time

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

CONNECT_FAILED = 599


async def answers(url, request_timeout=2.0):
    """True if anything answers HTTP at ``url`` (any status: the server is listening)."""
    request = HTTPRequest(
        url, follow_redirects=False, request_timeout=request_timeout, connect_timeout=1.0
    )
    try:
        response = await AsyncHTTPClient().fetch(request, raise_error=False)
    except (OSError, HTTPClientError):
        return False
    return response.code != CONNECT_FAILED


async def wait_until_answers(url, timeout, interval, stopped=None, check_every=0.25):
    """Poll ``url`` every ``interval`` s until it answers; return the seconds waited, or
    None if it did not answer within ``timeout`` (the hub then reports the failure).

    ``stopped()``, awaited every ``check_every`` s, raises if the server can no longer
    answer (its container exited), so a dead start fails at once with its reason.
    """
    started = time.monotonic()
    checked = started
    while time.monotonic() - started < timeout:
        if await answers(url):
            return time.monotonic() - started
        if stopped and time.monotonic() - checked >= check_every:
            checked = time.monotonic()
            await stopped()
        await asyncio.sleep(interval)
    return None
