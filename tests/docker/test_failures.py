"""Failures a person can act on: the message on the spawn page and in the API, no traceback."""

import html
import socket
from pathlib import Path

import docker
import jupyterhub
import pytest

from spawner.images import tags

from ..waiting import wait_for

pytestmark = [pytest.mark.docker, pytest.mark.reliability]

HOOK = """
IMAGES = {images!r}

def use_test_image(spawner):
    if spawner.user.name in IMAGES:
        spawner.image = IMAGES[spawner.user.name]

c.Spawner.pre_spawn_hook = use_test_image
"""


def hub_where_user_gets(make_hub, user, image):
    """A hub where ``user`` (an admin, so their sign-up is approved) spawns ``image``."""
    hub = make_hub(
        env={"KAGGLE_HUB_ADMINS": user},
        dropins={"50-images.py": HOOK.format(images={user: image})},
    )
    hub.create_user(user)
    return hub


def assert_failed_everywhere(hub, user, expected):
    """The REST start, the progress stream and the spawn page all carry ``expected``."""
    browser = hub.browser_session(user)
    r = hub.api("POST", f"/users/{user}/server")
    assert r.status_code == 500
    assert expected in r.json()["message"]
    assert "Traceback" not in r.text

    (event,) = hub.progress_events(user)
    assert event["failed"] is True
    assert event["message"].startswith("Spawn failed: ")
    assert expected in event["message"]

    page = browser.get(f"{hub.url}/hub/spawn-pending/{user}", timeout=30)
    assert page.url == f"{hub.url}/hub/spawn-pending/{user}"
    assert expected in html.unescape(page.text)
    assert "Traceback" not in page.text


def test_missing_image_says_which_and_how_to_get_it(make_hub, docker_client):
    missing = "kth-test-missing:none"
    hub = hub_where_user_gets(make_hub, "ghost", missing)
    assert_failed_everywhere(
        hub,
        "ghost",
        f"The image '{missing}' is not on this machine. Pulling it failed: ",
    )
    assert (
        f"An admin can get it with: docker pull {missing}"
        in hub.progress_events("ghost")[0]["message"]
    )
    assert not docker_client.containers(all=True, filters={"name": hub.prefix})


def test_missing_built_image_names_the_build_command(make_hub, docker_client):
    kaggle = tags.image_tag("kaggle")
    hub = hub_where_user_gets(make_hub, "old", kaggle)
    assert_failed_everywhere(hub, "old", f"The image '{kaggle}' is not on this machine. ")
    message = hub.api("POST", "/users/old/server").json()["message"]
    assert message == (
        f"The image '{kaggle}' is not on this machine. "
        "An admin can get it with: ./deploy/build-image kaggle"
    )
    # An image of ours is never pulled from a registry, and the failed starts leave nothing.
    assert f"Pulling image {kaggle}" not in hub.log()
    assert not [
        v for v in docker_client.volumes()["Volumes"] or [] if v["Name"].startswith(hub.prefix)
    ]


def test_version_mismatch_names_both_versions(make_hub, mismatched_image, docker_client):
    hub = hub_where_user_gets(make_hub, "mia", mismatched_image)
    assert_failed_everywhere(
        hub,
        "mia",
        f"The image '{mismatched_image}' has jupyterhub 0.0.1, but this hub runs jupyterhub "
        f"{jupyterhub.__version__}",
    )
    message = hub.api("POST", "/users/mia/server").json()["message"]
    assert f"pip install jupyterhub=={jupyterhub.__version__}" in message
    assert not docker_client.containers(all=True, filters={"name": hub.prefix})


def test_an_image_without_jupyterhub_says_so_and_how_to_fix_it(
    make_hub, image_without_jupyterhub, docker_client
):
    hub = hub_where_user_gets(make_hub, "noa", image_without_jupyterhub)
    assert_failed_everywhere(
        hub,
        "noa",
        f"The image '{image_without_jupyterhub}' has no jupyterhub installed, but this hub "
        f"runs jupyterhub {jupyterhub.__version__}",
    )
    assert not docker_client.containers(all=True, filters={"name": hub.prefix})


def test_unreachable_daemon_names_the_socket(make_hub, tmp_path):
    # The hub started with Docker; its servers' daemon (client_kwargs) stopped answering.
    socket = tmp_path / "nothing-listens.sock"
    socket.touch()
    dropin = f"c.KaggleSpawner.client_kwargs = {{'base_url': 'unix://{socket}'}}\n"
    hub = make_hub(env={"KAGGLE_HUB_ADMINS": "una"}, dropins={"50-docker.py": dropin})
    hub.create_user("una")
    assert_failed_everywhere(
        hub, "una", f"Cannot reach the Docker daemon at unix://{socket} (connection refused)"
    )


def test_hub_refuses_to_start_without_docker_after_waiting_and_says_why(make_hub, tmp_path):
    socket = tmp_path / "absent.sock"
    hub = make_hub(
        env={"DOCKER_HOST": f"unix://{socket}", "KAGGLE_HUB_DOCKER_WAIT_SECONDS": "3"},
        wait=False,
    )
    assert wait_for(lambda: hub.process.poll() is not None, 60, what="hub exit") is not None
    assert hub.process.returncode != 0
    log = hub.log()
    assert f"Docker at unix://{socket} is not answering; waiting up to 3 s more" in log
    assert f"Cannot reach the Docker daemon at unix://{socket}" in log


def test_a_hub_whose_port_is_taken_stops_at_once_naming_it(make_hub):
    hub = make_hub(start=False)
    with socket.create_server(("127.0.0.1", hub.port)):
        hub.start(wait=False)
        wait_for(lambda: hub.process.poll() is not None, 30, what="hub exit")
    assert hub.process.returncode != 0
    assert f"The proxy cannot listen on 127.0.0.1:{hub.port}: another program" in hub.log()


def test_bad_setting_stops_the_hub_with_the_variable_name(make_hub):
    hub = make_hub(
        env={"KAGGLE_HUB_SHM_SIZE": "2g", "KAGGLE_HUB_NAMED_SERVERS": "lots"}, wait=False
    )
    wait_for(lambda: hub.process.poll() is not None, 60, what="hub exit")
    assert hub.process.returncode != 0
    assert "KAGGLE_HUB_NAMED_SERVERS='lots' is not a count" in hub.log()
    assert not Path(hub.env["KAGGLE_HUB_DATA_DIR"]).exists()


def test_docker_errors_other_than_missing_are_not_swallowed(docker_client):
    with pytest.raises(docker.errors.NotFound):
        docker_client.inspect_image("kth-test-missing:none")
