"""Upgrading: the state of a hub of the previous release (jupyterhub 5.5.4, made by
tests/data/upgrade/make_fixture.py) goes through ./deploy/upgrade; accounts, admin
rights, approvals, named servers, tokens and every file survive, and users start their
servers again. The hub's own state is saved, listed and restored."""

import json
import shutil
import sqlite3
import subprocess

import pytest
import requests

from ..hubprocess import REPO_DIR, UserServer, kaggle_hub

pytestmark = [pytest.mark.docker, pytest.mark.upgrade]

PREVIOUS = REPO_DIR / "tests/data/upgrade"
ACCOUNTS = json.loads((PREVIOUS / "accounts.json").read_text())
FILES = {("ann", ""): "code/analysis.ipynb", ("bob", "gpu"): "input/train.csv"}


def fill_volume(docker_client, image, volume, path, text):
    """Put ``text`` at ``path`` in ``volume``, as the previous release's server left it."""
    docker_client.create_volume(volume)
    container = docker_client.create_container(
        image,
        ["sh", "-c", f'mkdir -p "$(dirname /w/{path})" && printf %s "$0" > /w/{path}', text],
        host_config=docker_client.create_host_config(binds=[f"{volume}:/w"], network_mode="none"),
    )
    docker_client.start(container)
    assert docker_client.wait(container, timeout=60)["StatusCode"] == 0
    docker_client.remove_container(container)


def upgrade(hub):
    return subprocess.run(
        ["./deploy/upgrade"],
        cwd=REPO_DIR,
        env=hub.env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_a_failed_upgrade_step_says_where_things_stand(make_hub, image):
    hub = make_hub(start=False)
    data = hub.workdir / "data"
    data.mkdir(mode=0o700)
    # A database from a release this one does not know: saved, then refused by the
    # migration.
    shutil.copy(PREVIOUS / "jupyterhub.sqlite", data / "jupyterhub.sqlite")
    with sqlite3.connect(data / "jupyterhub.sqlite") as db:
        db.execute("UPDATE alembic_version SET version_num = 'f00df00df00d'")
    env_file = hub.workdir / "hub.env"
    env_file.write_text(f"KAGGLE_HUB_IMAGE={image}\n")
    hub.env["KAGGLE_HUB_ENV_FILE"] = str(env_file)

    failed = upgrade(hub)
    assert failed.returncode != 0
    said = "the upgrade stopped at the failed step above; users' volumes were not touched."
    assert failed.stderr.count(said) == 1, failed.stderr
    assert "Fix the cause and run ./deploy/upgrade again" in failed.stderr
    assert "upgraded:" not in failed.stderr


def test_a_database_that_cannot_be_read_is_refused_in_one_line(make_hub):
    hub = make_hub(start=False)
    data = hub.workdir / "data"
    data.mkdir(mode=0o700)
    (data / "jupyterhub.sqlite").write_text("not a database\n")
    refused = kaggle_hub(hub.env, "backup", "--hub")
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr
    assert refused.stderr == (
        f"kaggle-hub backup: The hub database {data}/jupyterhub.sqlite cannot be read (file is "
        "not a database): nothing was saved. Put back a saved state (kaggle-hub backup --hub "
        "--list lists them; kaggle-hub restore --hub FILE) or move the file away to start "
        "afresh.\n"
    )


def test_a_previous_release_hub_upgrades_with_everything_kept(make_hub, docker_client, image):
    hub = make_hub(start=False)
    data = hub.workdir / "data"
    data.mkdir(mode=0o700)
    for name in ("jupyterhub.sqlite", "settings_admins.json"):
        shutil.copy(PREVIOUS / name, data / name)
    env_file = hub.workdir / "hub.env"
    env_file.write_text(f"KAGGLE_HUB_IMAGE={image}\nKAGGLE_HUB_ADMINS=ann\n")
    hub.env["KAGGLE_HUB_ENV_FILE"] = str(env_file)
    del hub.env["KAGGLE_HUB_IMAGE"]
    for (user, server), path in FILES.items():
        volume = f"{hub.prefix}-{user}{'--' + server if server else ''}-work"
        fill_volume(docker_client, image, volume, path, f"{user}'s work\n")

    upgraded = upgrade(hub)
    assert upgraded.returncode == 0, upgraded.stderr
    assert "migrating the hub database to jupyterhub" in upgraded.stderr
    assert "upgraded: start the hub" in upgraded.stderr
    # Reading the configuration for the migration starts no pre-pull and no sweep.
    assert "Task was destroyed" not in upgraded.stderr
    assert "Traceback" not in upgraded.stderr
    listed = kaggle_hub(hub.env, "backup", "--hub", "--list")
    assert listed.returncode == 0, listed.stderr
    assert f"{data}/backups/hub-" in listed.stdout

    hub.start()
    users = {u["name"]: u for u in hub.api("GET", "/users").json()}
    assert {"ann", "bob", "cat"} <= set(users)
    assert [users[n]["admin"] for n in ("ann", "bob", "cat")] == [True, False, True]
    bob = hub.api("GET", "/users/bob", params={"include_stopped_servers": "1"}).json()
    assert "gpu" in bob["servers"]
    as_bob = requests.get(
        f"{hub.url}/hub/api/user",
        headers={"Authorization": f"token {ACCOUNTS['bob_token']}"},
        timeout=30,
    )
    assert as_bob.status_code == 200 and as_bob.json()["name"] == "bob"

    passwords = ACCOUNTS["passwords"]
    for user, expected in (("ann", 302), ("dan", 200)):  # dan still awaits approval
        session = requests.Session()
        session.get(f"{hub.url}/hub/login", timeout=30)
        form = {
            "username": user,
            "password": passwords[user],
            "_xsrf": session.cookies.get("_xsrf", path="/hub/"),
        }
        r = session.post(f"{hub.url}/hub/login", data=form, allow_redirects=False, timeout=30)
        assert r.status_code == expected, (user, r.status_code)

    for (user, server), path in FILES.items():
        token = hub.create_user(user)
        hub.start_server(user, server)
        assert UserServer(hub, user, token, server).read_text(path) == f"{user}'s work\n"


def test_the_hub_state_is_saved_and_restored_only_while_the_hub_is_stopped(make_hub):
    hub = make_hub()
    hub.create_user("eve")
    saved = kaggle_hub(hub.env, "backup", "--hub")
    assert saved.returncode == 0, saved.stderr
    path = saved.stdout.split(" to ", 1)[1].split(" (", 1)[0]
    refused = kaggle_hub(hub.env, "restore", "--hub", path)
    assert refused.returncode == 2
    assert "The hub is running: stop it first" in refused.stderr

    hub.api("DELETE", "/users/eve")
    hub.stop()
    restored = kaggle_hub(hub.env, "restore", "--hub", path)
    assert restored.returncode == 0, restored.stderr
    assert "the state it replaced is in" in restored.stdout
    hub.start()
    assert hub.api("GET", "/users/eve").status_code == 200
