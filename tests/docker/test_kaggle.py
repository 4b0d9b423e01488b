"""Kaggle as it is inside users' servers: both input layouts, kagglehub answered from the
team's shared copy, kaggle_secrets with each user's own secrets, and a notebook as Kaggle
exports it run unmodified, cell by cell."""

import hashlib
import json
import shutil

import pytest
import requests

from spawner.kaggle.attach import METADATA

from ..hubprocess import UserServer
from ..hubprocess import kaggle_hub as run_kaggle_hub
from ..hubs import finish_hub, module_failed, new_hub
from ..kaggleapi import KEY, USERNAME, KaggleAPI
from ..kagglenotebook import DATA, make_shared, put_secret, run_the_titanic_notebook

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """The team's shared folder: the Titanic competition and a dataset, Kaggle's layout."""
    return make_shared(tmp_path_factory.mktemp("shared"))


@pytest.fixture(scope="module")
def kaggle_hub(request, tmp_path_factory, docker_client, image, shared):
    hub = new_hub(tmp_path_factory, image, env={"KAGGLE_HUB_DATASETS_DIR": str(shared)})
    hub.start()
    yield hub
    finish_hub(docker_client, hub, module_failed(request))


def server_for(hub, user):
    """``user``'s running server (started if it is not) and a token of theirs."""
    token = hub.create_user(user)
    if not hub.api("GET", f"/users/{user}").json()["servers"]:
        hub.start_server(user)
    return UserServer(hub, user, token), token


def test_a_kaggle_notebook_runs_unmodified_with_the_teams_data_and_the_users_secret(kaggle_hub):
    ann, token = server_for(kaggle_hub, "ann")
    run_the_titanic_notebook(kaggle_hub, ann, token)


def test_both_layouts_resolve_and_every_user_reads_the_same_files_with_no_copy(kaggle_hub):
    ann, _ = server_for(kaggle_hub, "ann")
    bob, _ = server_for(kaggle_hub, "bob")
    probe = (
        "import os, kagglehub\n"
        "paths = [kagglehub.competition_download('titanic') + '/train.csv',\n"
        "         '/kaggle/input/competitions/titanic/train.csv',\n"
        "         '/kaggle/input/titanic/train.csv', '../input/titanic/train.csv',\n"
        "         kagglehub.dataset_download('heptapod/titanic-extra') + '/ages.csv',\n"
        "         '/kaggle/input/datasets/heptapod/titanic-extra/ages.csv',\n"
        "         '/kaggle/input/titanic-extra/ages.csv']\n"
        "print(kagglehub.competition_download('titanic'))\n"
        "print(kagglehub.dataset_download('heptapod/titanic-extra/versions/3'))\n"
        "for p in paths:\n"
        "    s = os.stat(p)\n"
        "    print(p, s.st_dev, s.st_ino, s.st_size)\n"
        "print(os.path.exists(os.path.expanduser('~/.cache/kagglehub')))\n"
    )
    seen = {}
    for user, server in (("ann", ann), ("bob", bob)):
        lines = server.run(probe).splitlines()
        assert lines[0] == "/kaggle/input/competitions/titanic"
        assert lines[1] == "/kaggle/input/datasets/heptapod/titanic-extra"
        assert lines[-1] == "False", "kagglehub downloaded into the user's cache"
        seen[user] = [line.rsplit(" ", 3)[1:] for line in lines[2:-1]]
    # Each layout's path is the same file, and both users read that one file: no copy.
    titanic, extra = seen["ann"][:4], seen["ann"][4:]
    assert len({tuple(t) for t in titanic}) == 1 and len({tuple(e) for e in extra}) == 1
    assert seen["ann"] == seen["bob"]


def test_data_the_team_does_not_have_gets_kagglehubs_error_naming_the_command(kaggle_hub, shared):
    ann, _ = server_for(kaggle_hub, "ann")
    missing = ann.run(
        "import kagglehub\n"
        "try:\n"
        "    kagglehub.competition_download('spaceship-titanic')\n"
        "except Exception as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    assert missing.startswith("BackendError")
    assert "kaggle-hub datasets add competitions/spaceship-titanic" in missing
    # Added while the server runs: Kaggle's layout is live, no restart needed.
    shutil.copytree(shared / "competitions/titanic", shared / "competitions/spaceship-titanic")
    try:
        found = ann.run(
            "import kagglehub\nprint(kagglehub.competition_download('spaceship-titanic'))\n"
        )
        assert found.strip() == "/kaggle/input/competitions/spaceship-titanic"
    finally:
        shutil.rmtree(shared / "competitions/spaceship-titanic")


def test_secrets_belong_to_their_user_only(kaggle_hub):
    ann, ann_token = server_for(kaggle_hub, "ann")
    bob, bob_token = server_for(kaggle_hub, "bob")
    assert put_secret(kaggle_hub, ann_token, "SHARED_NAME", "ann's value").status_code in (200, 201)
    read = (
        "from kaggle_secrets import UserSecretsClient\n"
        "try:\n"
        "    print(UserSecretsClient().get_secret('SHARED_NAME'))\n"
        "except Exception as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    assert ann.run(read).strip() == "ann's value"
    refused = bob.run(read)
    assert refused.startswith("BackendError")
    assert "no secret named 'SHARED_NAME' on this hub: add it on the Secrets page" in refused
    assert "ann's value" not in refused
    # Uncaught, as in a notebook: the traceback ends in the hub's sentence, not a dict.
    with pytest.raises(AssertionError) as shown:
        bob.run(
            "from kaggle_secrets import UserSecretsClient\n"
            "UserSecretsClient().get_secret('SHARED_NAME')\n"
        )
    last = shown.value.args[0].splitlines()[-1]
    assert "BackendError" in last and "no secret named 'SHARED_NAME' on this hub" in last, last
    assert "Response: {'wasSuccessful'" not in shown.value.args[0]
    # Over the REST API, each token sees its own user's names, never a value.
    listing = requests.get(
        f"{kaggle_hub.url}/hub/api/secrets",
        headers={"Authorization": f"token {bob_token}"},
        timeout=30,
    ).json()
    assert listing == {"secrets": []}
    mine = requests.get(
        f"{kaggle_hub.url}/hub/api/secrets",
        headers={"Authorization": f"token {ann_token}"},
        timeout=30,
    ).json()
    assert "SHARED_NAME" in [s["name"] for s in mine["secrets"]]
    assert "ann's value" not in json.dumps(mine)
    # Kaggle's endpoint with bob's token gets bob's secrets, not ann's; without one, nothing.
    endpoint = f"{kaggle_hub.url}/hub/kaggle/requests/GetUserSecretByLabelRequest"
    as_bob = requests.post(
        endpoint,
        json={"Label": "SHARED_NAME"},
        headers={"X-Kaggle-Authorization": f"Bearer {bob_token}"},
        timeout=30,
    ).json()
    assert as_bob["wasSuccessful"] is False
    nobody = requests.post(endpoint, json={"Label": "SHARED_NAME"}, timeout=30)
    assert nobody.status_code == 403


def test_a_deleted_users_secrets_go_with_them(kaggle_hub):
    token = kaggle_hub.create_user("cyd")
    assert put_secret(kaggle_hub, token, "TOKEN", "cyd's").status_code == 201
    assert kaggle_hub.api("DELETE", "/users/cyd").status_code == 204
    new_token = kaggle_hub.create_user("cyd")
    listing = requests.get(
        f"{kaggle_hub.url}/hub/api/secrets",
        headers={"Authorization": f"token {new_token}"},
        timeout=30,
    ).json()
    assert listing == {"secrets": []}


@pytest.mark.parametrize(
    ("name", "body", "status", "message"),
    [
        ("a%20b", {"value": "v"}, 400, "cannot be a secret's name"),
        ("TOKEN", {"value": ""}, 400, "must be text, and not empty"),
        ("TOKEN", {"other": 1}, 400, 'with {"value": "..."}'),
        ("TOKEN", [1], 400, 'with {"value": "..."}'),
    ],
)
def test_bad_secrets_get_a_400_that_says_why(kaggle_hub, name, body, status, message):
    token = kaggle_hub.create_user("dee")
    r = requests.put(
        f"{kaggle_hub.url}/hub/api/secrets/{name}",
        json=body,
        headers={"Authorization": f"token {token}"},
        timeout=30,
    )
    assert r.status_code == status, r.text
    assert message in r.json()["message"]


def test_an_admin_adds_kaggle_data_once_and_a_cut_download_resumes(kaggle_hub, shared, tmp_path):
    titanic = {name: (DATA / "titanic" / name).read_bytes() for name in ("train.csv", "test.csv")}
    houses = {1: {"houses.csv": b"Id,Price\n1,100\n"}, 2: {"houses.csv": b"Id,Price\n1,120\n"}}
    (tmp_path / "kaggle.json").write_text(json.dumps({"username": USERNAME, "key": KEY}))
    with KaggleAPI({"house-of-titanic": titanic}, {("heptapod", "houses"): houses}) as api:
        env = {
            **kaggle_hub.env,
            "KAGGLE_HUB_KAGGLE_API": api.url,
            "KAGGLE_CONFIG_DIR": str(tmp_path),
        }
        api.cut_after = 4096
        cut = run_kaggle_hub(env, "datasets", "add", "competitions/house-of-titanic")
        assert cut.returncode == 2, cut.stdout + cut.stderr
        assert "stopped after 4.0 KB" in cut.stderr
        assert "run the same command again to go on from there" in cut.stderr
        assert not (shared / "competitions/house-of-titanic").exists()

        done = run_kaggle_hub(env, "datasets", "add", "competitions/house-of-titanic")
        assert done.returncode == 0, done.stderr
        assert api.requests[-1] == (
            "/api/v1/competitions/data/download-all/house-of-titanic",
            "bytes=4096-",
        )
        folder = shared / "competitions/house-of-titanic"
        assert {p.name: p.read_bytes() for p in folder.glob("*.csv")} == titanic
        archive_sha = hashlib.sha256(api.competitions["house-of-titanic"]).hexdigest()
        assert json.loads((folder / METADATA).read_text())["sha256"] == archive_sha
        assert "Added competitions/house-of-titanic: 2 files, archive" in done.stdout
        assert archive_sha in done.stdout

        latest = run_kaggle_hub(env, "datasets", "add", "heptapod/houses")
        assert latest.returncode == 0 and "Added heptapod/houses version 2" in latest.stdout
        older = run_kaggle_hub(env, "datasets", "add", "heptapod/houses/versions/1")
        assert older.returncode == 0, older.stderr
        assert (shared / "datasets/heptapod/houses/houses.csv").read_bytes() == houses[1][
            "houses.csv"
        ]
        missing = run_kaggle_hub(env, "datasets", "add", "heptapod/nothing-here")
        assert missing.returncode == 2
        assert "Kaggle has no heptapod/nothing-here (404): check the handle." in missing.stderr
        refused = run_kaggle_hub(
            {**env, "KAGGLE_CONFIG_DIR": str(tmp_path / "none")},
            "datasets",
            "add",
            "competitions/house-of-titanic",
        )
        assert refused.returncode == 2 and "No Kaggle credentials: put kaggle.json" in (
            refused.stderr
        )

    listed = run_kaggle_hub(env, "datasets", "list").stdout
    assert "competitions/house-of-titanic  -" in listed
    assert "heptapod/houses" in listed and "competitions/titanic" in listed
    # A running server has it at once, through kagglehub too; removing it takes it away.
    ann, _ = server_for(kaggle_hub, "ann")
    found = ann.run(
        "import kagglehub\n"
        "print(kagglehub.competition_download('house-of-titanic'))\n"
        "print(kagglehub.dataset_download('heptapod/houses/versions/1'))\n"
    )
    assert found.split() == [
        "/kaggle/input/competitions/house-of-titanic",
        "/kaggle/input/datasets/heptapod/houses",
    ]
    for handle in ("competitions/house-of-titanic", "heptapod/houses"):
        removed = run_kaggle_hub(env, "datasets", "remove", handle, "--yes")
        assert removed.returncode == 0, removed.stderr
    assert not (shared / "competitions/house-of-titanic").exists()


def test_a_server_started_before_the_datasets_folder_is_told_to_restart_at_once(make_hub, tmp_path):
    hub = make_hub()
    ann, _ = server_for(hub, "ann")
    hub.stop()
    shared = make_shared(tmp_path / "shared")
    hub.env["KAGGLE_HUB_DATASETS_DIR"] = str(shared)
    hub.start()
    refused = ann.run(
        "import kagglehub\n"
        "try:\n"
        "    kagglehub.competition_download('titanic')\n"
        "except Exception as e:\n"
        "    print(type(e).__name__, e)\n",
        timeout=30,
    )
    assert refused.startswith("BackendError"), refused
    assert f"Your server started before this hub shared the folder {shared}" in refused
    assert "Stop My Server, then Start My Server" in refused
    hub.stop_server("ann")
    hub.start_server("ann")
    found = ann.run("import kagglehub\nprint(kagglehub.competition_download('titanic'))\n")
    assert found.strip() == "/kaggle/input/competitions/titanic"
