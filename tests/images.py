"""The images the test tiers run: built by ./deploy/test, named in the environment."""

import os

import docker
import pytest


def built_image(client, variable, build):
    """The image named by the environment ``variable`` (./deploy/test sets it), checked to
    be here; ``build`` is the ./deploy/build-image argument that makes it."""
    tag = os.environ.get(variable)
    if not tag:
        pytest.fail(f"{variable} is not set: run the suite with ./deploy/test.")
    try:
        client.inspect_image(tag)
    except docker.errors.NotFound:
        pytest.fail(f"The image {tag} is missing: ./deploy/build-image {build} builds it.")
    return tag
