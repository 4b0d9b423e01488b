"""A spawn's progress events, appended as they happen and followed by the spawn page."""

import asyncio


class ProgressLog:
    def __init__(self):
        self.events = []
        self._changed = asyncio.Event()

    def add(self, progress, message=None):
        """Append ``(percent, message)``, or an event dict as it is."""
        event = (
            progress if isinstance(progress, dict) else {"progress": progress, "message": message}
        )
        self.events.append(event)
        self._changed.set()

    async def follow(self):
        """Every event so far, then each new one as it comes; ends when the reader stops."""
        sent = 0
        while True:
            self._changed.clear()
            while sent < len(self.events):
                yield self.events[sent]
                sent += 1
            await self._changed.wait()
