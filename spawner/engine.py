"""Connecting to the Docker daemon with an error a person can act on."""

import logging
import time

import docker
from docker.utils import kwargs_from_env

from .errors import DockerUnreachable, docker_unreachable_message

DEFAULT_SOCKET = "unix:///var/run/docker.sock"
WAIT_LOG_SECONDS = 10

log = logging.getLogger("JupyterHub")


def client_kwargs(overrides=None, environ=None):
    """docker-py APIClient arguments: environment (DOCKER_HOST...) then ``overrides``."""
    kwargs = {"version": "auto"}
    kwargs.update(kwargs_from_env(environment=environ))
    kwargs.update(overrides or {})
    return kwargs


def describe(kwargs):
    """The daemon address a person would recognise, e.g. ``unix:///var/run/docker.sock``."""
    return str(kwargs.get("base_url") or DEFAULT_SOCKET).replace("http+unix://", "unix://")


def _reason(error):
    text = str(error)
    for known in ("No such file or directory", "Connection refused", "Permission denied"):
        if known in text:
            return known.lower()
    return text.splitlines()[0][:200] if text else type(error).__name__


def connect(kwargs):
    """An APIClient for ``kwargs``; raise DockerUnreachable if the daemon does not answer."""
    try:
        return docker.APIClient(**kwargs)
    except docker.errors.DockerException as e:
        raise DockerUnreachable(docker_unreachable_message(describe(kwargs), _reason(e))) from e


def wait_until_answering(kwargs, seconds, clock=time.monotonic, sleep=time.sleep):
    """Return a client once the daemon answers, waiting up to ``seconds`` for it (a hub
    started at boot, or while Docker restarts); then raise DockerUnreachable."""
    deadline = clock() + seconds
    said = None
    while True:
        try:
            client = connect(kwargs)
        except DockerUnreachable:
            now = clock()
            if now >= deadline:
                raise
            if said is None or now - said >= WAIT_LOG_SECONDS:
                log.warning(
                    "Docker at %s is not answering; waiting up to %.0f s more",
                    describe(kwargs),
                    deadline - now,
                )
                said = now
            sleep(0.5)
        else:
            if said is not None:
                log.info("Docker at %s answers", describe(kwargs))
            return client


def memory_in_use(client, container):
    """Bytes of memory ``container`` holds, less the file cache the kernel may take back
    (what ``docker stats`` shows)."""
    found = client.stats(container, stream=False, one_shot=True)["memory_stats"]
    counts = found.get("stats", {})
    return found["usage"] - counts.get("inactive_file", counts.get("total_inactive_file", 0))
