"""Scheduled backups: the hub's own schedule writes a set (its state and every user's
volume) at each set time and keeps the newest; a failure is shown to admins and loses no
set; and a whole machine comes back from a set onto an empty data dir, Docker without the
team's volumes, and a checkout without settings."""

import json
import os
import shutil
import time
from datetime import datetime, timedelta

import pytest

from ..hubprocess import UserServer, kaggle_hub
from ..hubs import remove_prefixed, stop_proxies
from ..waiting import wait_for

pytestmark = [pytest.mark.docker, pytest.mark.reliability]

WRITTEN = "Backup written to"


def times_from_now(*seconds):
    now = datetime.now()
    return ",".join((now + timedelta(seconds=s)).strftime("%H:%M:%S") for s in seconds)


def with_a_file(hub, user, text):
    server = UserServer(hub, user, hub.create_user(user))
    hub.start_server(user)
    server.put_text("code/mine.txt", text)
    return server


def sets_in(folder):
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def test_scheduled_sets_rotate_and_a_whole_machine_comes_back_from_one(
    make_hub, docker_client, tmp_path
):
    hub = make_hub(env={"KAGGLE_HUB_ADMINS": "ada"}, start=False)
    settings_file = hub.workdir / "team.env"
    settings_file.write_text("KAGGLE_HUB_TEAM_NAME=Heptapods\n")
    hub.env["KAGGLE_HUB_ENV_FILE"] = str(settings_file)
    hub.start()
    ann = with_a_file(hub, "ann", "ann's\n")
    bob = with_a_file(hub, "bob", "bob's\n")
    # The team folder is in the set, with who made each file.
    ann.put_text("team/plan.md", "# plan\n")
    # A deleted user's quarantined volume is the team's data too.
    with_a_file(hub, "cid", "cid's\n")
    hub.stop_server("cid")
    assert hub.api("DELETE", "/users/cid").status_code == 204

    folder = tmp_path / "backups"
    hub.stop()
    hub.env.update(
        KAGGLE_HUB_BACKUP_DIR=str(folder),
        KAGGLE_HUB_BACKUP_AT=times_from_now(20, 32, 44),
        KAGGLE_HUB_BACKUP_KEEP="2",
    )
    hub.start()
    wait_for(lambda: hub.log().count(WRITTEN) >= 3, 150, what="three scheduled backups")
    kept = sets_in(folder)
    assert len(kept) == 2, kept
    manifest = json.loads((kept[-1] / "manifest.json").read_text())
    owners = sorted((v["user"], bool(v["quarantined_at"])) for v in manifest["volumes"])
    assert owners == [("", False), ("ann", False), ("bob", False), ("cid", True)]
    assert [v["name"] for v in manifest["volumes"] if v["team"]] == [f"{hub.prefix}-team"]
    assert manifest["settings"]
    assert (kept[-1] / "hub.tar.gz").stat().st_mode & 0o077 == 0
    print(f"scheduled set: {manifest['bytes']} bytes in {manifest['seconds']} s")

    status = kaggle_hub(hub.env, "backup", "--status")
    assert status.returncode == 0, status.stderr
    assert "4 volumes" in status.stdout
    assert f"in {kept[-1]}." in status.stdout
    admin_pages = hub.browser_session("ada")
    admin = admin_pages.get(f"{hub.url}/hub/admin", timeout=30).text
    assert f"into {folder}, 2 kept." in admin
    assert "Last backup:" in admin

    # A set on demand is rotated with the scheduled ones.
    now = kaggle_hub(hub.env, "backup", "--all")
    assert now.returncode == 0, now.stderr
    assert "Wrote the hub's state and 4 volumes to" in now.stdout
    assert sets_in(folder) == [kept[-1], folder / now.stdout.split(" to ")[1].split(" (")[0]]
    kept = sets_in(folder)

    # A set that cannot be written is a failure admins see; the sets there stay.
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file")
    failed = kaggle_hub(hub.env, "backup", "--all", "-o", str(blocked))
    assert failed.returncode == 2
    assert f"The backup folder {blocked} is a file, not a folder." in failed.stderr
    status = kaggle_hub(hub.env, "backup", "--status")
    assert status.returncode == 1
    assert f"FAILED: The backup folder {blocked} is a file" in status.stdout
    admin = admin_pages.get(f"{hub.url}/hub/admin", timeout=30).text
    assert "alert-danger kth-backups" in admin
    assert sets_in(folder) == kept

    # The machine is lost: the hub's data dir, every container and volume, the settings.
    hub.stop()
    stop_proxies(hub.workdir)
    remove_prefixed(docker_client, hub.prefix)
    shutil.rmtree(hub.workdir / "data")
    # The new checkout's set-up wrote the image it built to its .env.
    fresh_settings = hub.workdir / "fresh-checkout.env"
    fresh_settings.write_text(f"KAGGLE_HUB_IMAGE={hub.env['KAGGLE_HUB_IMAGE']}\n")
    hub.env["KAGGLE_HUB_ENV_FILE"] = str(fresh_settings)

    began = time.monotonic()
    restored = kaggle_hub(hub.env, "restore", "--all", str(kept[-1]))
    print(f"whole-machine restore: {time.monotonic() - began:.1f} s")
    assert restored.returncode == 0, restored.stderr
    assert "Restored the hub's state and 4 volumes" in restored.stdout
    assert "Settings from the set written to" in restored.stdout
    assert "KAGGLE_HUB_TEAM_NAME" in restored.stdout
    assert fresh_settings.read_text() == (
        f"KAGGLE_HUB_IMAGE={hub.env['KAGGLE_HUB_IMAGE']}\nKAGGLE_HUB_TEAM_NAME=Heptapods\n"
    )
    again = kaggle_hub(hub.env, "restore", "--all", str(kept[-1]))
    assert again.returncode == 2
    assert "already hold files" in again.stderr

    hub.start()
    # Tokens, users and files are back: the members pick up where they were.
    for user, member in (("ann", ann), ("bob", bob)):
        hub.start_server(user)
        assert member.read_text("code/mine.txt") == f"{user}'s\n"
    assert bob.read_text("team/plan.md") == "# plan\n"
    team = docker_client.inspect_volume(f"{hub.prefix}-team")
    assert team["Labels"]["org.kaggle-team-hub.team-folder"] == "1"
    assert os.getxattr(f"{team['Mountpoint']}/plan.md", "user.kaggle-team-hub.owner") == b"ann"
    volumes = kaggle_hub(hub.env, "volumes")
    assert f"{hub.prefix}-cid-work-deleted-" in volumes.stdout
    assert "quarantined" in volumes.stdout
    assert "Heptapods" in admin_pages.get(f"{hub.url}/hub/login", timeout=30).text
