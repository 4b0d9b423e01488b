"""What a user sets up survives server restarts and container removal."""

from urllib.parse import quote

import docker
import pytest
import requests

from ..hubprocess import UserServer
from ..waiting import wait_for

pytestmark = pytest.mark.docker

THEME = "@jupyterlab/apputils-extension:themes"


def restart(hub, docker_client, user, server=""):
    hub.stop_server(user, server)
    name = f"{hub.prefix}-{user}" + (f"--{server}" if server else "")
    with pytest.raises(docker.errors.NotFound):
        docker_client.inspect_container(name)
    hub.start_server(user, server)


def test_files_survive_stop_start_and_container_removal(hub, docker_client):
    carol = UserServer(hub, "carol", hub.create_user("carol"))
    hub.start_server("carol")
    carol.put_text("code/notes.txt", "keep me\n")
    # Names JupyterLab sends percent-encoded pass the proxy both ways.
    odd = quote("code/odd ?#%;\\ name.txt")
    carol.put_text(odd, "odd\n")
    restart(hub, docker_client, "carol")
    assert carol.read_text("code/notes.txt") == "keep me\n"
    assert carol.read_text(odd) == "odd\n"


def test_tree_is_repaired_and_files_are_never_overwritten(hub, docker_client):
    dan = UserServer(hub, "dan", hub.create_user("dan"))
    hub.start_server("dan")
    assert dan.get("api/contents/input", params={"content": 0}).status_code == 200
    r = requests.delete(dan.base + "api/contents/input", headers=dan.headers, timeout=30)
    assert r.status_code == 204, r.text
    dan.put_text("code/model.py", "print('mine')\n")
    restart(hub, docker_client, "dan")
    assert {"code", "input"} <= dan.names()
    assert dan.read_text("code/model.py") == "print('mine')\n"


def test_kaggle_credentials_and_lab_settings_persist(hub, docker_client):
    erin = UserServer(hub, "erin", hub.create_user("erin"))
    hub.start_server("erin")
    erin.run(
        "import json, os\n"
        "d = os.environ['KAGGLE_CONFIG_DIR']\n"
        "os.makedirs(d, exist_ok=True)\n"
        "p = os.path.join(d, 'kaggle.json')\n"
        "open(p, 'w').write(json.dumps({'username': 'erin-kaggle', 'key': '0' * 32}))\n"
        "os.chmod(p, 0o600)\n"
    )
    erin.put_lab_setting(THEME, {"theme": "JupyterLab Dark"})

    restart(hub, docker_client, "erin")

    out = erin.run(
        "import subprocess\n"
        "cli = subprocess.run(['kaggle', 'config', 'view'], capture_output=True, text=True)\n"
        "print(cli.stdout)\n"
    )
    assert "username: erin-kaggle" in out
    assert erin.lab_setting(THEME)["theme"] == "JupyterLab Dark"


def test_users_and_named_servers_get_their_own_volumes(hub, docker_client):
    frank = UserServer(hub, "frank", hub.create_user("frank"))
    gina = UserServer(hub, "gina", hub.create_user("gina"))
    frank_gpu = UserServer(hub, "frank", frank.headers["Authorization"].split()[1], server="gpu")
    hub.start_server("frank")
    hub.start_server("gina")
    hub.start_server("frank", "gpu")
    frank.put_text("code/only-frank.txt", "f\n")

    def volume(container):
        mounts = docker_client.inspect_container(container)["Mounts"]
        (work,) = [m["Name"] for m in mounts if m["Destination"] == "/tmp/working"]
        return work

    volumes = {
        volume(f"{hub.prefix}-frank"),
        volume(f"{hub.prefix}-gina"),
        volume(f"{hub.prefix}-frank--gpu"),
    }
    assert volumes == {
        f"{hub.prefix}-frank-work",
        f"{hub.prefix}-gina-work",
        f"{hub.prefix}-frank--gpu-work",
    }
    assert "only-frank.txt" not in gina.names("code")
    assert "only-frank.txt" not in frank_gpu.names("code")
    assert {"code", "input"} <= frank_gpu.names()


def test_a_hub_restart_keeps_running_servers(make_hub, docker_client):
    hub = make_hub()
    ivy = UserServer(hub, "ivy", hub.create_user("ivy"))
    hub.start_server("ivy")
    before = docker_client.inspect_container(f"{hub.prefix}-ivy")["Id"]
    hub.stop()
    assert docker_client.inspect_container(before)["State"]["Running"]
    hub.start()
    hub.wait_ready("ivy", timeout=60)
    wait_for(lambda: ivy.get("api/status").status_code == 200, 60, what="ivy reachable again")
    assert docker_client.inspect_container(f"{hub.prefix}-ivy")["Id"] == before


NEWS = "@jupyterlab/apputils-extension:notification"


def test_jupyterlab_does_not_ask_about_news_and_a_users_answer_is_kept(hub, docker_client):
    hal = UserServer(hub, "hal", hub.create_user("hal"))
    hub.start_server("hal")
    assert hal.lab_setting(NEWS) == {"fetchNews": "false"}
    hal.put_lab_setting(NEWS, {"fetchNews": "true"})
    restart(hub, docker_client, "hal")
    assert hal.lab_setting(NEWS)["fetchNews"] == "true"
