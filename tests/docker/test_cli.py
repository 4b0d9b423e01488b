"""The kaggle-hub admin command, run as installed, against a real engine and hub."""

import json
import subprocess
from pathlib import Path

import jupyterhub
import pytest
import requests

from spawner.images import tags
from spawner.server import volumes

from ..hubprocess import KAGGLE_HUB, UserServer, kaggle_hub, volume_status
from ..registry import Registry, import_image

pytestmark = pytest.mark.docker

CHECKSUMS = (
    "import hashlib, os, json\n"
    "sums = {}\n"
    "for d, _, files in os.walk('/tmp/working'):\n"
    "    for f in files:\n"
    "        p = os.path.join(d, f)\n"
    "        if '/.' not in p[len('/tmp/working'):]:\n"
    "            sums[p] = hashlib.sha256(open(p, 'rb').read()).hexdigest()\n"
    "print(json.dumps(sums, sort_keys=True))\n"
)


def test_backup_purge_restore_gives_back_identical_files(make_hub, tmp_path):
    hub = make_hub()
    eli = UserServer(hub, "eli", hub.create_user("eli"))
    hub.start_server("eli")
    eli.put_dir("input/titanic")
    titanic = Path(__file__).resolve().parents[1] / "data/titanic/train.csv"
    eli.put_text("input/titanic/train.csv", titanic.read_text())
    eli.put_text("code/notes.md", "# é ünïcode\n")
    before = json.loads(eli.run(CHECKSUMS))
    assert len(before) == 2
    hub.stop_server("eli")

    archive = tmp_path / "eli.tar.gz"
    backup = kaggle_hub(hub.env, "backup", "eli", "-o", str(archive))
    assert backup.returncode == 0, backup.stderr
    assert f"Wrote {hub.prefix}-eli-work to {archive}" in backup.stdout
    # It holds the user's files (.kaggle/kaggle.json among them): the owner's only.
    assert archive.stat().st_mode & 0o777 == 0o600

    purge = kaggle_hub(hub.env, "purge", "eli", "--yes")
    assert purge.returncode == 0, purge.stderr
    assert f"Removed {hub.prefix}-eli-work" in purge.stdout

    restore = kaggle_hub(hub.env, "restore", "eli", str(archive))
    assert restore.returncode == 0, restore.stderr
    again = kaggle_hub(hub.env, "restore", "eli", str(archive))
    assert again.returncode == 2
    assert "is not empty: nothing was changed" in again.stderr

    hub.start_server("eli")
    assert json.loads(eli.run(CHECKSUMS)) == before


def test_purge_without_confirmation_deletes_nothing(make_hub, docker_client):
    hub = make_hub()
    hub.create_user("fay")
    hub.start_server("fay")
    hub.stop_server("fay")
    volume = f"{hub.prefix}-fay-work"

    unconfirmed = kaggle_hub(hub.env, "purge", "fay")
    assert unconfirmed.returncode == 1
    assert "Not removed" in unconfirmed.stdout
    wrong = subprocess.run(
        ["script", "-qec", f"{KAGGLE_HUB} purge fay", "/dev/null"],
        env=hub.env,
        input="not-fay\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "nothing removed" in wrong.stdout
    assert docker_client.inspect_volume(volume)["Name"] == volume


def test_doctor_reports_a_missing_image_and_a_version_mismatch_with_the_fix(
    make_hub, mismatched_image
):
    hub = make_hub()
    healthy = kaggle_hub(hub.env, "doctor")
    assert healthy.returncode == 0, healthy.stdout
    assert "All checks passed." in healthy.stdout

    missing = tags.image_tag("kaggle")
    env = {**hub.env, "KAGGLE_HUB_IMAGE": missing}
    report = kaggle_hub(env, "doctor")
    assert report.returncode == 1
    assert (
        f"FAIL  image {missing}: not on this machine\n      fix: ./deploy/build-image kaggle"
        in (report.stdout)
    )

    env = {**hub.env, "KAGGLE_HUB_IMAGE": mismatched_image}
    report = kaggle_hub(env, "doctor")
    assert report.returncode == 1
    assert (
        f"FAIL  image {mismatched_image}: has jupyterhub 0.0.1, the hub runs "
        f"{jupyterhub.__version__}\n"
        f"      fix: a Dockerfile FROM {mismatched_image} that runs "
        f"'pip install jupyterhub=={jupyterhub.__version__}'"
    ) in report.stdout

    assert f"OK    hub: running, answers at {hub.url}/hub/api/" in healthy.stdout
    assert "OK    TLS: off, on this machine only" in healthy.stdout
    proxy = int((hub.workdir / "data/jupyterhub-proxy.pid").read_text())
    hub.stop()
    stopped = kaggle_hub(hub.env, "doctor")
    assert stopped.returncode == 1
    assert (
        f"FAIL  hub: not running; its proxy (traefik, pid {proxy}) still serves users' servers,"
        " and the next start takes it over\n"
        "      fix: start it: ./deploy/run, or ./deploy/service install"
    ) in stopped.stdout
    assert kaggle_hub(hub.env, "stop-proxy").returncode == 0
    without_proxy = kaggle_hub(hub.env, "doctor")
    assert (
        "FAIL  hub: not running\n      fix: start it: ./deploy/run, or ./deploy/service install"
    ) in without_proxy.stdout


def test_pull_fetches_configured_images_from_a_registry_with_progress(
    make_hub, docker_client, tmp_path
):
    registry = Registry(tmp_path).start()
    tag = f"{registry.host}/kth-test-pull:1"
    try:
        import_image(docker_client, tag, megabytes=24)
        for line in docker_client.push(tag, stream=True, decode=True):
            assert "error" not in line, line
        docker_client.remove_image(tag, force=True)
        hub = make_hub()
        env = {**hub.env, "KAGGLE_HUB_IMAGE": tag}

        pulled = kaggle_hub(env, "pull")
        assert pulled.returncode == 0, pulled.stdout + pulled.stderr
        assert f"{tag}: pulling" in pulled.stdout
        assert "100%" in pulled.stdout and "] " in pulled.stdout
        assert f"{tag}: pulled" in pulled.stdout
        assert docker_client.inspect_image(tag)["RepoTags"] == [tag]

        again = kaggle_hub(env, "pull")
        assert f"{tag}: already here" in again.stdout
        built_here = kaggle_hub({**hub.env, "KAGGLE_HUB_IMAGE": tags.image_tag("kaggle")}, "pull")
        assert built_here.returncode == 1
        assert "built on this machine, not pulled: run ./deploy/build-image kaggle" in (
            built_here.stdout
        )
    finally:
        registry.stop()
        if docker_client.images(tag):
            docker_client.remove_image(tag, force=True)


def test_volumes_lists_owners_also_of_volumes_made_without_labels(make_hub, docker_client):
    hub = make_hub()
    old = f"{hub.prefix}-old_2duser--lab2-work"  # as named before volumes carried labels
    docker_client.create_volume(old)
    listing = kaggle_hub(hub.env, "volumes")
    assert listing.returncode == 0, listing.stderr
    (row,) = [line.split() for line in listing.stdout.splitlines() if line.startswith(old)]
    assert row[:3] == [old, "old-user", "lab2"]


def test_a_named_servers_volume_round_trip_as_the_readme_writes_it(make_hub, tmp_path):
    hub = make_hub(env={"KAGGLE_HUB_STANDBY_MAX": "1"})
    gus = UserServer(hub, "gus", hub.create_user("gus"), "lab2")
    volume = f"{hub.prefix}-gus--lab2-work"
    hub.start_server("gus", "lab2")
    gus.put_text("code/notes.txt", "kept\n")

    assert volume_status(hub.env, volume) == "in use"  # the running server mounts it
    hub.stop_server("gus", "lab2")
    # A standby made for the server's next start may mount it too: it is still idle.
    assert volume_status(hub.env, volume).split(",")[0] == "idle"

    archive = tmp_path / "gus.tar.gz"
    saved = kaggle_hub(hub.env, "backup", "gus", "--server", "lab2", "-o", str(archive))
    assert saved.returncode == 0, saved.stderr
    assert kaggle_hub(hub.env, "purge", "gus", "--yes").returncode == 0
    missing = kaggle_hub(hub.env, "restore", "gus", "--server", "lab2", str(tmp_path / "no.tgz"))
    assert missing.returncode == 2
    assert f"There is no file '{tmp_path}/no.tgz' to restore" in missing.stderr
    restored = kaggle_hub(hub.env, "restore", "gus", "--server", "lab2", str(archive))
    assert restored.returncode == 0, restored.stderr
    hub.start_server("gus", "lab2")
    assert gus.read_text("code/notes.txt") == "kept\n"


def test_purge_removes_one_named_servers_or_one_quarantined_volume(make_hub, docker_client):
    hub = make_hub(start=False)
    default, lab2 = f"{hub.prefix}-hana-work", f"{hub.prefix}-hana--lab2-work"
    quarantined = f"{default}-deleted-20261124T120000Z"
    for name, server in ((default, ""), (lab2, "lab2"), (quarantined, "")):
        labels = volumes.labels(hub.prefix, "hana", server)
        if name == quarantined:
            labels[volumes.LABEL_QUARANTINED_AT] = "2026-11-24T12:00:00+00:00"
        docker_client.create_volume(name, labels=labels)

    def left():
        found = docker_client.volumes()["Volumes"] or []
        return {v["Name"] for v in found if v["Name"].startswith(f"{hub.prefix}-hana")}

    typo = kaggle_hub(hub.env, "purge", "hana", "--server", "lab3", "--yes")
    assert typo.returncode == 2 and "hana has no volume for server 'lab3'" in typo.stderr
    other = kaggle_hub(hub.env, "purge", "hana", "--volume", f"{hub.prefix}-ida-work", "--yes")
    assert other.returncode == 2 and "is not one of hana's volumes" in other.stderr
    assert left() == {default, lab2, quarantined}

    one = kaggle_hub(hub.env, "purge", "hana", "--server", "lab2", "--yes")
    assert one.returncode == 0, one.stderr
    assert f"Removed {lab2}" in one.stdout
    assert left() == {default, quarantined}
    kept = kaggle_hub(hub.env, "purge", "hana", "--volume", quarantined, "--yes")
    assert kept.returncode == 0, kept.stderr
    assert left() == {default}


def test_stop_proxy_stops_what_a_stopped_hub_left_serving_and_nothing_else(make_hub):
    hub = make_hub()
    ivy = UserServer(hub, "ivy", hub.create_user("ivy"))
    hub.start_server("ivy")
    assert ivy.get("api/status").status_code == 200  # ivy at work: her login confirmed
    refused = kaggle_hub(hub.env, "stop-proxy")
    assert refused.returncode == 2
    assert "the hub is running, and it keeps its proxy running: stop the hub first" in (
        refused.stderr
    )
    pid = int((hub.workdir / "data/jupyterhub-proxy.pid").read_text())
    hub.stop()
    # The proxy the hub left keeps serving ivy's server.
    assert ivy.get("api/status").status_code == 200
    stopped = kaggle_hub(hub.env, "stop-proxy")
    assert stopped.returncode == 0, stopped.stderr
    assert stopped.stdout == (
        f"Stopped the proxy (traefik, pid {pid}): users' servers are out of reach until the "
        "hub starts again.\n"
    )
    with pytest.raises(requests.ConnectionError):
        ivy.get("api/status", timeout=5)
    again = kaggle_hub(hub.env, "stop-proxy")
    assert (again.returncode, again.stdout) == (0, "No proxy of this hub is running.\n")
