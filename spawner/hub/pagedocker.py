"""The Docker client a hub page reads with: short-lived, and never holding a page up."""

import docker

from .. import engine
from ..errors import DockerUnreachable

# A page waits at most this long for Docker.
DOCKER_SECONDS = 5
# What a page shows a short note for instead of its figures.
UNANSWERED = (DockerUnreachable, docker.errors.DockerException, OSError)


def client():
    """A client of the hub's engine whose calls give up after ``DOCKER_SECONDS``."""
    return engine.connect(engine.client_kwargs({"timeout": DOCKER_SECONDS}))
