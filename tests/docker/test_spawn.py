"""A user's server through the real hub: access, the working tree, Kaggle paths."""

from pathlib import Path

import pytest
import requests

from ..hubprocess import UserServer

pytestmark = pytest.mark.docker

TITANIC = Path(__file__).resolve().parents[1] / "data/titanic"


@pytest.fixture(scope="module")
def alice(hub):
    token = hub.create_user("alice")
    hub.start_server("alice")
    return UserServer(hub, "alice", token)


def test_server_answers_its_user_only(hub, alice):
    assert alice.get("api/status").status_code == 200

    no_token = requests.get(alice.base + "api/contents/", timeout=30)
    assert no_token.status_code == 403

    page = requests.get(alice.base + "lab", timeout=30)
    assert page.url.startswith(f"{hub.url}/hub/login"), page.url
    assert page.status_code == 200
    assert 'name="password"' in page.text

    bob_token = hub.create_user("bob")
    as_bob = requests.get(
        alice.base + "api/contents/", headers={"Authorization": f"token {bob_token}"}, timeout=30
    )
    assert as_bob.status_code == 403
    assert "code" not in as_bob.text


def test_tree_exists_on_first_start(alice):
    assert {"code", "input"} <= alice.names()
    assert alice.names("code") == set()


def test_kaggle_paths_resolve(alice):
    alice.put_dir("input/titanic")
    alice.put_text("input/titanic/train.csv", (TITANIC / "train.csv").read_text())
    out = alice.run(
        "import os, pandas as pd\n"
        "a = pd.read_csv('../input/titanic/train.csv')\n"
        "b = pd.read_csv('/kaggle/input/titanic/train.csv')\n"
        "a[['PassengerId', 'Survived']].to_csv('/kaggle/working/submission.csv', index=False)\n"
        "print(os.getcwd(), len(a), len(b), os.path.realpath('/kaggle/working'))\n"
    )
    assert out.split() == ["/tmp/working/code", "891", "891", "/tmp/working/code"]
    assert "submission.csv" in alice.names("code")
    assert alice.read_text("code/submission.csv").splitlines()[0] == "PassengerId,Survived"


def test_root_is_the_image_own(hub, alice, docker_client):
    info = docker_client.inspect_container(f"{hub.prefix}-alice")
    destinations = {m["Destination"] for m in info["Mounts"]}
    assert destinations == {"/tmp/working", "/tmp/working/team"}
    assert info["HostConfig"]["ShmSize"] >= 1024**3
    assert not info["HostConfig"]["PortBindings"]
    assert list(info["NetworkSettings"]["Networks"]) == [hub.network]


def test_shared_memory_is_sized_for_data_loaders(alice):
    out = alice.run("import os; s = os.statvfs('/dev/shm'); print(s.f_blocks * s.f_frsize)")
    assert int(out) >= 1024**3
