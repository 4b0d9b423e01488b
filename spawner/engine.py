"""Connecting to the Docker daemon with an error a person can act on."""

import docker
from docker.utils import kwargs_from_env

from .errors import DockerUnreachable, docker_unreachable_message

DEFAULT_SOCKET = "unix:///var/run/docker.sock"


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
