"""Failures a person can act on, with the message shown on the spawn page and the API."""

from tornado import web


class UserFacingError(web.HTTPError):
    """An error whose message is shown as-is on the hub's page and in the REST API's error
    body, under ``title`` instead of the bare HTTP status. No traceback reaches the user."""

    title = "Something went wrong"

    def __init__(self, message, status_code=500):
        super().__init__(status_code, "%s", message)
        self.jupyterhub_message = message

    def __str__(self):
        return self.jupyterhub_message


class SpawnError(UserFacingError):
    """A spawn failure; its message is also shown in the spawn progress stream."""

    title = "Your server could not start"


class LoginRefused(UserFacingError):
    """A login the hub refuses, with the reason and who can fix it."""

    title = "This login was refused"

    def __init__(self, message):
        super().__init__(message, status_code=403)


class DockerUnreachable(SpawnError):
    """The Docker daemon did not answer."""


def docker_unreachable_message(base_url, reason):
    return (
        f"Cannot reach the Docker daemon at {base_url} ({reason}). "
        "An admin should start Docker on the hub's machine (for example "
        "'sudo systemctl start docker', or ./deploy/run which starts it) or point the hub "
        "at the right socket with DOCKER_HOST."
    )


def image_missing_message(image, get_command, pull_error=None):
    failed = f" Pulling it failed: {pull_error}." if pull_error else ""
    return (
        f"The image {image!r} is not on this machine.{failed} "
        f"An admin can get it with: {get_command}"
    )


def pull_stalled_message(image, stall_seconds):
    return (
        f"Pulling the image {image!r} stalled: the registry sent nothing for {stall_seconds} s, "
        "so the start was given up. Try again later; an admin can check the registry, or "
        "pull the image ahead of time with: kaggle-hub pull"
    )


def version_mismatch_message(image, image_version, hub_version, get_command):
    found = (
        "has no jupyterhub installed"
        if image_version is None
        else f"has jupyterhub {image_version}"
    )
    return (
        f"The image {image!r} {found}, but this hub runs jupyterhub {hub_version}; "
        f"they must be the same version. An admin can rebuild the image with: {get_command}"
    )


class SetupError(RuntimeError):
    """The hub cannot start as configured; the message says what to change."""
