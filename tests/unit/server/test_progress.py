"""The spawn's progress log: readers get past events, then new ones as they come."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from spawner.server.progress import ProgressLog


def test_a_late_reader_gets_every_event_then_the_new_ones():
    async def scenario():
        log = ProgressLog()
        log.add(55, "Creating container")
        seen = []

        async def read():
            async for event in log.follow():
                seen.append(event)
                if len(seen) == 3:
                    return

        reader = asyncio.ensure_future(read())
        await asyncio.sleep(0)
        log.add({"progress": 60, "message": "Starting container"})
        await asyncio.sleep(0)
        log.add(95, "JupyterLab answers")
        await asyncio.wait_for(reader, 5)
        return seen

    # A thread of its own: the e2e tier's browser driver may run a loop in this one.
    with ThreadPoolExecutor(1) as pool:
        seen = pool.submit(asyncio.run, scenario()).result()
    assert seen == [
        {"progress": 55, "message": "Creating container"},
        {"progress": 60, "message": "Starting container"},
        {"progress": 95, "message": "JupyterLab answers"},
    ]
