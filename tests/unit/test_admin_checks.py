"""kaggle-hub's pure parts: pull progress folding and the local checks of doctor."""

import os

import docker
import pytest

from spawner import doctor, pull


def test_pull_progress_adds_up_layers():
    events = [
        {"status": "Pulling from kth"},
        {"id": "a", "status": "Downloading", "progressDetail": {"current": 10, "total": 100}},
        {"id": "b", "status": "Downloading", "progressDetail": {"current": 5, "total": 50}},
        {"id": "a", "status": "Downloading", "progressDetail": {"current": 100, "total": 100}},
        {"id": "b", "status": "Pull complete", "progressDetail": {}},
    ]
    assert list(pull.layer_progress(events)) == [
        (0, 0, 0),
        (10, 100, 1),
        (15, 150, 2),
        (105, 150, 2),
        (150, 150, 2),
    ]
    assert pull.bar(75, 150, width=10) == "[#####.....]  50% 0/0 MB"


def test_pull_error_event_is_raised():
    with pytest.raises(docker.errors.APIError, match="manifest unknown"):
        list(pull.layer_progress([{"error": "manifest unknown"}]))


def test_data_dir_checks(tmp_path):
    assert doctor.check_data_dir(tmp_path / "new").ok
    d = tmp_path / "data"
    d.mkdir(mode=0o755)
    os.chmod(d, 0o755)
    loose = doctor.check_data_dir(d)
    assert not loose.ok and loose.fix == f"chmod 700 {d}"
    os.chmod(d, 0o700)
    assert doctor.check_data_dir(d).ok
    other = doctor.check_data_dir(d, euid=os.geteuid() + 1)
    assert not other.ok and other.fix.startswith("chown -R")


def test_disk_check_names_the_shortfall(tmp_path):
    assert doctor.check_disk(tmp_path, minimum=1).ok
    short = doctor.check_disk(tmp_path, minimum=1024**5)
    assert not short.ok and "docker image prune" in short.fix
    assert short.line().startswith("FAIL  disk: ")
