"""The login provider's client secret as a swarm secret, deployed as docs/howto/swarm.md
says (deploy/swarm/oauth-secret.yml with the stack's file): the hub reads it and sends
people to the provider, and the secret is in no setting, environment or log a person can
read. (Servers never get the hub's environment: their variables are the spawner's.)"""

import json
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from ..swarmnodes import docker

pytestmark = [pytest.mark.swarm]

SECRET_NAME = "kaggle-team-hub-oauth-client-secret"
CLIENT_SECRET = "kth-swarm-secret-7f3c9e21"
MORE_STACK_FILES = ("deploy/swarm/oauth-secret.yml",)
SETTINGS = {"KAGGLE_HUB_AUTH": "github", "KAGGLE_HUB_OAUTH_CLIENT_ID": "kth-client-id"}


@pytest.fixture(scope="module")
def oauth_secret(swarm):
    # As docs/howto/swarm.md creates it, with this test's secret.
    docker("secret", "rm", SECRET_NAME, check=False)
    subprocess.run(
        f"printf '%s' '{CLIENT_SECRET}' | docker secret create {SECRET_NAME} -",
        shell=True,
        check=True,
        capture_output=True,
    )
    yield SECRET_NAME
    docker("secret", "rm", SECRET_NAME, check=False)


@pytest.fixture(scope="module")
def hub(oauth_secret, swarm_hub):
    return swarm_hub


def hub_container(hub):
    (container,) = docker(
        "ps", "-q", "--filter", f"label=com.docker.swarm.service.name={hub.service}"
    ).stdout.split()
    return container


def test_the_hub_takes_the_secret_from_swarm_and_sends_people_to_the_provider(hub):
    r = requests.get(f"{hub.url}/hub/oauth_login", verify=hub.verify, allow_redirects=False)
    assert r.status_code == 302, r.text
    target = urlsplit(r.headers["Location"])
    assert (target.netloc, target.path) == ("github.com", "/login/oauth/authorize")
    assert parse_qs(target.query)["client_id"] == ["kth-client-id"]
    # Swarm gives the hub's container alone the file, readable by the hub's user only.
    container = hub_container(hub)
    listed = docker("exec", container, "stat", "-c", "%a %U", "/run/secrets/oauth-client-secret")
    assert listed.stdout.split() == ["400", "root"]


def test_the_secret_is_in_no_setting_environment_or_log(hub):
    assert CLIENT_SECRET not in (hub.site / "hub.env").read_text()
    (inspected,) = json.loads(docker("inspect", hub_container(hub)).stdout)
    assert not [e for e in inspected["Config"]["Env"] if CLIENT_SECRET in e]
    assert CLIENT_SECRET not in docker("service", "inspect", hub.service).stdout
    assert CLIENT_SECRET not in hub.log()
