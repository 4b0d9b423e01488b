"""The stand-in image carries Kaggle's library versions, from the one file that pins them."""

import json
import re

import pytest

from spawner.images import tags
from spawner.settings.environment import REPO_DIR

pytestmark = pytest.mark.docker

PINS = REPO_DIR / "deploy/lite/requirements.txt"


def pinned():
    """``{distribution: version}`` of the exact pins in the pins file."""
    found = {}
    for line in PINS.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", line)
        if match:
            found[match[1].lower()] = match[2]
    return found


def test_the_pins_file_names_the_kaggle_release_the_real_image_is_built_from():
    assert f"release {tags.KAGGLE_BASE_TAG} " in PINS.read_text()
    assert {"pandas", "numpy", "scikit-learn", "matplotlib", "seaborn", "statsmodels"} <= set(
        pinned()
    )


def test_the_stand_in_has_the_pinned_versions(docker_client, image):
    pins = pinned()
    script = (
        "import importlib.metadata as m, json, sys\n"
        "print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))\n"
    )
    container = docker_client.create_container(
        image, ["python3", "-c", script, *pins], network_disabled=True
    )
    try:
        docker_client.start(container)
        assert docker_client.wait(container, timeout=60)["StatusCode"] == 0
        found = json.loads(docker_client.logs(container, stderr=False).decode())
    finally:
        docker_client.remove_container(container, force=True)
    assert found == pins
