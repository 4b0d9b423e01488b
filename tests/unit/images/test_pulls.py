"""Shared pulls: the spawn page's messages, and a failure nobody waits for."""

import asyncio
import gc
import logging
from concurrent.futures import ThreadPoolExecutor

from spawner.images import pulls
from spawner.images.layers import LayerProgress


def test_pull_event_maps_the_pull_onto_its_span_of_the_progress_bar():
    start = pulls.pull_event("img:1", 0, 300_000_000, 0.0, 3)
    end = pulls.pull_event("img:1", 300_000_000, 300_000_000, 1.0, 3)
    half = pulls.pull_event("img:1", 150_000_000, 300_000_000, 0.5, 3)
    assert (start["progress"], half["progress"], end["progress"]) == (5, 27, 50)
    assert half["message"] == "Pulling image img:1: 50% (150 of 300 MB downloaded, 3 layers)"


def test_pull_event_names_the_layer_that_moved_last():
    progress = LayerProgress()
    assert progress.layer_note() == ""
    progress.add({"id": "3f2a1b0c9d8e", "status": "Downloading", "progressDetail": {}})
    assert progress.layer_note() == ""
    for status, current in (("Downloading", 90_000_000), ("Extracting", 40_000_000)):
        progress.add(
            {
                "id": "3f2a1b0c9d8e",
                "status": status,
                "progressDetail": {"current": current, "total": 200_000_000},
            }
        )
    note = progress.layer_note()
    assert note == "layer 3f2a1b0c9d8e extracting: 40 of 200 MB"
    event = pulls.pull_event("img:1", 200_000_000, 200_000_000, 0.6, 1, note)
    assert event["message"] == (
        "Pulling image img:1: 60% (200 of 200 MB downloaded, 1 layer; "
        "layer 3f2a1b0c9d8e extracting: 40 of 200 MB)"
    )


def test_a_failed_pull_nobody_waits_for_prints_no_traceback(tmp_path):
    """The hub stopping while a pull fails leaves the pull unawaited: its failure is
    reported by whoever waits, never as 'Future exception was never retrieved'."""
    unhandled = []

    async def pull_then_forget():
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _, context: unhandled.append(context["message"]))
        daemon = {"base_url": f"unix://{tmp_path}/no-docker.sock", "version": "1.41"}
        pull = pulls.SharedPull("img:1", daemon, 0.04, logging.getLogger("test"))
        pull.start()
        while not pull.outcome.done():
            await asyncio.sleep(0.01)
        assert "exception=PullStalled" in repr(pull.outcome)  # repr leaves it unretrieved
        await asyncio.sleep(0.1)  # the watchdog sees the outcome and ends
        del pull
        gc.collect()
        await asyncio.sleep(0)

    # On a thread of its own: the browser tests keep an event loop running on this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, pull_then_forget()).result()
    assert unhandled == []
