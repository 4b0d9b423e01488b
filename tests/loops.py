"""Running a coroutine from a test."""

import asyncio
from concurrent.futures import ThreadPoolExecutor


def run(coroutine):
    """Run ``coroutine`` to its end on a thread of its own: the browser tests' driver keeps
    an event loop running on the main thread, where ``asyncio.run`` refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
