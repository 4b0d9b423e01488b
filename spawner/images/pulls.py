"""Image pulls shared by every spawn that needs the image, with progress and a stall bound.

A pull runs in a daemon thread of its own, never on the executor that serves the other
users' starts, stops and status checks, and never holds up stopping the hub. A watchdog
makes a pull whose registry stops sending data fail after ``stall_seconds`` instead of
hanging. ``PULLS`` holds the pulls under way in this hub process.
"""

import asyncio
import contextlib
import threading
import time

import docker
import requests
import urllib3

from .layers import LayerProgress, split_image

# progress bar span of the pull, in percent of the whole spawn
PULL_START, PULL_END = 5, 50
REPORT_EVERY_SECONDS = 0.5
# A pull that receives nothing from the registry for this long fails.
PULL_STALL_SECONDS = 120


class PullStalled(RuntimeError):
    """The registry sent nothing for ``stall_seconds``."""


class PullFailed(RuntimeError):
    """Docker reported an error for the pull; the message is Docker's."""

    def __init__(self, message, status_code=None):
        super().__init__(message)
        self.status_code = status_code


def pull_event(image, downloaded, total, fraction, layers, layer_note=""):
    """The spawn page's progress event for a pull at ``fraction``."""
    percent = PULL_START + int(fraction * (PULL_END - PULL_START))
    layer_count = f"{layers} layer" if layers == 1 else f"{layers} layers"
    note = f"; {layer_note}" if layer_note else ""
    return {
        "progress": percent,
        "message": (
            f"Pulling image {image}: {fraction:.0%} "
            f"({downloaded / 1e6:.0f} of {total / 1e6:.0f} MB downloaded, {layer_count}{note})"
        ),
    }


class SharedPull:
    """One pull of one image; every spawn waiting for it sees the same events.

    A watchdog fails the pull when Docker has sent nothing for ``stall_seconds`` (docker-py
    reads a pull's stream without a timeout), and closes the connection to stop it.
    """

    def __init__(self, image, client_kwargs, stall_seconds, log):
        self.image = image
        self.client = docker.APIClient(**client_kwargs)
        self.stall_seconds = stall_seconds
        self.log = log
        self.subscribers = []
        self.last_event = None
        self.last_activity = time.monotonic()
        self.outcome = None

    def start(self):
        loop = asyncio.get_running_loop()
        self.log.info("Pulling image %s", self.image)
        self.outcome = loop.create_future()
        threading.Thread(
            target=self._run, args=(loop,), name=f"kaggle-pull-{self.image}", daemon=True
        ).start()
        loop.create_task(self._watch())
        return self

    def subscribe(self, callback):
        """Call ``callback(event)`` for each progress event, starting with the latest one."""
        self.subscribers.append(callback)
        if self.last_event:
            callback(self.last_event)

    def _publish(self, event):
        self.last_event = event
        for callback in self.subscribers:
            callback(event)

    def _run(self, loop):
        def publish(event):
            loop.call_soon_threadsafe(self._publish, event)

        error = None
        try:
            self._pull(publish)
        except Exception as e:
            error = e
        # The loop is closed when the hub stopped during the pull: nobody is waiting.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(self._finish, error)

    def _finish(self, error):
        self.client.close()
        if self.outcome.done():
            return
        if error:
            self._fail(error)
        else:
            self.outcome.set_result(None)

    def _fail(self, error):
        # Whoever waits reports the failure. Marked as seen at once: a pull nobody waits for
        # any more (the hub stopping) must not print a traceback when it is collected.
        self.outcome.set_exception(error)
        self.outcome.exception()

    async def _watch(self):
        while not self.outcome.done():
            if time.monotonic() - self.last_activity > self.stall_seconds:
                self.log.warning(
                    "Pull of %s stalled: nothing for %s s", self.image, self.stall_seconds
                )
                self._fail(PullStalled(self.image))
                self.client.close()
                return
            await asyncio.sleep(min(1.0, self.stall_seconds / 4))

    def _pull(self, publish):
        repository, tag = split_image(self.image)
        progress = LayerProgress()
        reported = 0.0
        try:
            for event in self.client.pull(repository, tag=tag, stream=True, decode=True):
                self.last_activity = now = time.monotonic()
                downloaded, total, fraction, layers = progress.add(event)
                if total and (now - reported >= REPORT_EVERY_SECONDS or fraction == 1):
                    reported = now
                    note = progress.layer_note()
                    publish(pull_event(self.image, downloaded, total, fraction, layers, note))
        except docker.errors.APIError as e:  # before its base class, requests' HTTPError
            raise PullFailed(e.explanation or str(e), e.status_code) from None
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError):
            raise PullStalled(self.image) from None

    async def wait(self):
        await asyncio.shield(self.outcome)


class PullRegistry:
    """The pulls under way, by image: whoever needs an image that is being pulled (a
    spawn, the hub's pre-pull) follows that pull instead of starting another."""

    def __init__(self):
        self._pulls = {}

    def under_way(self, image):
        return image in self._pulls

    def join(self, image, client_kwargs, stall_seconds, log):
        """The pull of ``image`` under way, or a new one that others will join."""
        pull = self._pulls.get(image)
        if pull is None:
            pull = SharedPull(image, client_kwargs, stall_seconds, log).start()
            self._pulls[image] = pull
            pull.outcome.add_done_callback(lambda _: self._pulls.pop(image, None))
        return pull


PULLS = PullRegistry()
