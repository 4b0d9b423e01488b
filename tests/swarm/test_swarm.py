"""Users' servers as services on a real swarm, started by the hub that deploy/swarm/stack.yml
runs: Kaggle's paths, files kept, the volume's node, profile limits, the clear errors and
a hub restart."""

import json
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from ..browser import native_login, native_signup, screenshot, trust_args, wait_for_lab
from ..hubprocess import UserServer
from ..kagglenotebook import run_the_titanic_notebook
from ..swarmnodes import docker
from ..waiting import wait_for

pytestmark = [pytest.mark.swarm]

PROFILES = [
    {"name": "small", "cpu_limit": 1, "mem_limit": "1G", "default": True},
    {"name": "gpu-nodes", "constraints": ["node.labels.kth-test-gpu==true"]},
    {"name": "missing", "image": "kaggle-team-hub:no-such-image"},
]
SETTINGS = {
    "KAGGLE_HUB_ADMINS": "kim",
    "KAGGLE_HUB_PROFILES_FILE": "/etc/kaggle-team-hub/profiles.json",
    "KAGGLE_HUB_SWARM_SCHEDULE_SECONDS": "3",
}
FILES = {"profiles.json": json.dumps(PROFILES)}


def service(hub, name):
    out = docker("service", "inspect", f"{hub.prefix}-{name}").stdout
    (spec,) = json.loads(out)
    return spec


def spawn_following(hub, user):
    """Start ``user``'s server and read its progress stream while it starts."""
    with ThreadPoolExecutor(1) as pool:
        posted = pool.submit(hub.api, "POST", f"/users/{user}/server")
        wait_for(
            lambda: hub.api("GET", f"/users/{user}").json()["pending"] == "spawn",
            30,
            interval=0.05,
            what="the spawn under way",
        )
        events = hub.progress_events(user)
        assert posted.result().status_code in (201, 202)
    return [e["message"] for e in events]


def running_server(hub, user):
    token = hub.create_user(user)
    hub.start_server(user)
    return UserServer(hub, user, token)


def test_a_server_is_a_service_with_kaggles_paths(swarm_hub):
    server = UserServer(swarm_hub, "ann", swarm_hub.create_user("ann"))
    events = spawn_following(swarm_hub, "ann")
    assert any(m.startswith("Placed on node") for m in events), events
    assert "Waiting for JupyterLab to answer" in events
    swarm_hub.wait_ready("ann")
    assert server.names() >= {"code", "input"}
    out = server.run(
        "import os\n"
        "print(os.path.realpath('/kaggle/working'), os.path.isdir('/kaggle/input'))\n"
        "open('/kaggle/working/from-kaggle-path.txt', 'w').write('ok')"
    )
    assert out.split() == ["/tmp/working/code", "True"]
    assert "from-kaggle-path.txt" in server.names("code")
    # The hub's own settings raise no warning at a start on the swarm.
    assert "not recognized by `KaggleSwarmSpawner`" not in swarm_hub.log()
    spec = service(swarm_hub, "ann")
    task_template = spec["Spec"]["TaskTemplate"]
    assert spec["Spec"]["Labels"]["org.kaggle-team-hub.prefix"] == swarm_hub.prefix
    assert spec["Spec"]["EndpointSpec"]["Mode"] == "dnsrr"
    assert task_template["RestartPolicy"]["Condition"] == "none"
    assert (
        task_template["Networks"][0]["Target"]
        == docker("network", "inspect", "-f", "{{.Id}}", swarm_hub.network).stdout.strip()
    )
    # What crosses between nodes on it (tokens, secrets, notebooks) is encrypted.
    options = docker("network", "inspect", "-f", "{{json .Options}}", swarm_hub.network)
    assert "encrypted" in json.loads(options.stdout)
    assert "is not encrypted" not in swarm_hub.log()
    # The stack's fence is found (a swarm without one is warned about at the hub's start).
    assert "No fence service runs on this swarm" not in swarm_hub.log()


def test_a_kaggle_notebook_runs_unmodified_with_the_teams_data_and_a_secret(swarm_hub):
    token = swarm_hub.create_user("ivy")
    swarm_hub.start_server("ivy")
    run_the_titanic_notebook(swarm_hub, UserServer(swarm_hub, "ivy", token), token)


def test_files_persist_and_the_server_stays_on_its_volumes_node(swarm_hub, swarm):
    server = running_server(swarm_hub, "bob")
    server.put_text("code/kept.txt", "still here")
    swarm_hub.stop_server("bob")
    assert f"{swarm_hub.prefix}-bob" not in swarm_hub.services()
    swarm_hub.start_server("bob")
    assert server.read_text("code/kept.txt") == "still here"
    placement = service(swarm_hub, "bob")["Spec"]["TaskTemplate"]["Placement"]
    assert placement["Constraints"] == [f"node.id=={swarm.node_id}"]
    tasks = docker(
        "service",
        "ps",
        "-q",
        "--filter",
        "desired-state=running",
        "--no-trunc",
        f"{swarm_hub.prefix}-bob",
    ).stdout.split()
    node = docker("inspect", "-f", "{{.NodeID}}", tasks[0]).stdout.strip()
    assert node == swarm.node_id


def test_files_from_before_the_swarm_keep_their_user_on_that_node(swarm_hub, swarm, image):
    volume = f"{swarm_hub.prefix}-hal-work"
    docker("volume", "create", volume)
    docker(
        "run",
        "--rm",
        "--network",
        "none",
        "-v",
        f"{volume}:/w",
        image,
        "sh",
        "-c",
        "mkdir -p /w/code && echo from-one-machine > /w/code/old.txt",
    )
    server = running_server(swarm_hub, "hal")
    assert server.read_text("code/old.txt") == "from-one-machine\n"
    placement = service(swarm_hub, "hal")["Spec"]["TaskTemplate"]["Placement"]
    assert placement["Constraints"] == [f"node.id=={swarm.node_id}"]


def test_profile_limits_are_the_services_resources_and_the_containers(swarm_hub):
    running_server(swarm_hub, "cat")
    limits = service(swarm_hub, "cat")["Spec"]["TaskTemplate"]["Resources"]["Limits"]
    assert limits == {"NanoCPUs": 10**9, "MemoryBytes": 2**30, "Pids": 4096}
    (container,) = docker(
        "ps", "-q", "--filter", f"label=com.docker.swarm.service.name={swarm_hub.prefix}-cat"
    ).stdout.split()
    host = json.loads(docker("inspect", container).stdout)[0]["HostConfig"]
    assert (host["NanoCpus"], host["Memory"], host["PidsLimit"]) == (10**9, 2**30, 4096)
    assert "NET_RAW" in host["CapDrop"]


def test_a_profile_no_node_fits_fails_in_bound_naming_it(swarm_hub):
    swarm_hub.create_user("dan")
    began = time.monotonic()
    r = swarm_hub.api("POST", "/users/dan/server", json={"profile": "gpu-nodes"})
    took = time.monotonic() - began
    assert r.status_code == 500, r.text
    message = r.json()["message"]
    assert "No node of the swarm can run the profile 'gpu-nodes'" in message
    assert "node.labels.kth-test-gpu==true" in message
    assert "scheduling constraints not satisfied" in message
    # The bound is 3 s (KAGGLE_HUB_SWARM_SCHEDULE_SECONDS), not the start timeout.
    assert took < 15, took
    assert f"{swarm_hub.prefix}-dan" not in swarm_hub.services()
    assert swarm_hub.api("GET", "/users/dan").json()["servers"] == {}


def test_an_image_no_node_has_is_named(swarm_hub):
    swarm_hub.create_user("eve")
    r = swarm_hub.api("POST", "/users/eve/server", json={"profile": "missing"})
    assert r.status_code == 500, r.text
    message = r.json()["message"]
    assert "The image 'kaggle-team-hub:no-such-image' is not on the node" in message
    assert "No such image" in message
    wait_for(lambda: f"{swarm_hub.prefix}-eve" not in swarm_hub.services(), 30, what="service gone")


def test_a_hub_restart_keeps_the_service_and_the_users_session(swarm_hub):
    server = running_server(swarm_hub, "fay")
    server.put_text("code/before.txt", "written before the restart")
    service_id = service(swarm_hub, "fay")["ID"]
    swarm_hub.restart()
    assert service(swarm_hub, "fay")["ID"] == service_id
    assert swarm_hub.api("GET", "/users/fay").json()["servers"][""]["ready"] is True
    assert server.read_text("code/before.txt") == "written before the restart"


def test_servers_of_a_lost_hub_state_are_removed_and_their_volumes_kept(swarm_hub):
    server = running_server(swarm_hub, "jon")
    server.put_text("code/mine.txt", "jon's\n")
    swarm_hub.lose_state()
    wait_for(
        lambda: f"{swarm_hub.prefix}-jon" not in swarm_hub.services(), 30, what="jon's service"
    )
    assert f"Removed {swarm_hub.prefix}-jon: a server no hub record knows" in swarm_hub.log()
    assert f"{swarm_hub.prefix}-jon-work" in docker("volume", "ls", "-q").stdout.split()
    # On its new state the hub knows jon no more: he is a new account with his old files.
    token = swarm_hub.create_user("jon")
    swarm_hub.start_server("jon")
    assert UserServer(swarm_hub, "jon", token).read_text("code/mine.txt") == "jon's\n"


def test_deleting_a_user_quarantines_their_volume(swarm_hub):
    running_server(swarm_hub, "gus")
    swarm_hub.stop_server("gus")
    r = swarm_hub.api("DELETE", "/users/gus")
    assert r.status_code == 204, r.text
    volumes = docker("volume", "ls", "-q").stdout.split()
    assert f"{swarm_hub.prefix}-gus-work" not in volumes
    assert [v for v in volumes if v.startswith(f"{swarm_hub.prefix}-gus-work-deleted-")]


def test_a_person_lands_in_jupyterlab_on_the_swarm_and_is_told_when_no_node_fits(
    swarm_hub, new_page
):
    page = new_page(trust_args(swarm_hub.ca_pem))
    native_signup(page, swarm_hub, "kim", "a-long-team-password")
    screenshot(page, "swarm-signup")
    assert native_login(page, swarm_hub, "kim", "a-long-team-password").status == 302
    # The hub offers the profiles; the default one is chosen.
    assert page.locator("#profile-small").is_checked()
    screenshot(page, "swarm-spawn-form")
    page.locator("form#spawn_form [type=submit]").click()
    assert {"code", "input"} <= wait_for_lab(page, "kim")
    screenshot(page, "swarm-lab")
    assert f"{swarm_hub.prefix}-kim" in swarm_hub.services()
    # A profile no node fits: the page says which and why, within seconds.
    swarm_hub.stop_server("kim")
    page.goto(f"{swarm_hub.url}/hub/spawn")
    page.locator("#profile-gpu-nodes").check()
    page.locator("form#spawn_form [type=submit]").click()
    page.wait_for_selector("text=/No node of the swarm can run the profile 'gpu-nodes'/")
    screenshot(page, "swarm-no-node-fits")
