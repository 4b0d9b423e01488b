"""Pulling the configured images as the hub starts, before anyone logs in.

Each pull is a shared pull (``pulls.PULLS``): a user who logs in while it is under way
follows it on their spawn page instead of starting another. Images this project builds on
the machine (``./deploy/build-image``) are never pulled.
"""

import asyncio
import logging
import time

import docker
import requests

from .. import engine
from . import inventory, tags
from .pulls import PULL_STALL_SECONDS, PULLS, PullFailed, PullStalled

log = logging.getLogger("JupyterHub")


def _missing(client_kwargs, image_names):
    with docker.APIClient(**client_kwargs) as client:
        return inventory.missing(client, image_names)


def start(image_names, stall_seconds=PULL_STALL_SECONDS, client_kwargs=None):
    """Pre-pull in the background on the running event loop; return the task.

    JupyterHub reads its configuration inside its event loop, so the configuration file
    can start this; the hub's start does not wait for it. A stalled pull fails after
    ``stall_seconds``, as a spawn's would. Where the configuration is read outside an
    event loop (``jupyterhub upgrade-db``), no hub serves users: return None.
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    kwargs = engine.client_kwargs() if client_kwargs is None else client_kwargs
    return loop.create_task(prepull(tuple(image_names), kwargs, stall_seconds))


async def prepull(image_names, client_kwargs, stall_seconds):
    loop = asyncio.get_running_loop()
    try:
        absent = await loop.run_in_executor(None, _missing, client_kwargs, image_names)
    except (docker.errors.DockerException, requests.exceptions.RequestException) as e:
        log.warning("Not pre-pulling images: Docker does not answer: %s", e)
        return
    pulls = []
    for image in absent:
        if tags.pulled_from_registry(image):
            log.info("Pre-pulling image %s before anyone needs it", image)
            pulls.append((image, PULLS.join(image, client_kwargs, stall_seconds, log)))
        else:
            log.warning(
                "Image %s is missing: it is built on this machine with %s",
                image,
                tags.get_command(image),
            )
    started = time.monotonic()
    for image, pull in pulls:
        try:
            await pull.wait()
        except PullStalled:
            log.warning(
                "Pre-pull of %s stalled: the registry sent nothing for %s s; a spawn will "
                "try again",
                image,
                stall_seconds,
            )
        except PullFailed as e:
            log.warning("Pre-pull of %s failed: %s", image, e)
        else:
            log.info("Pre-pulled image %s in %.0f s", image, time.monotonic() - started)
