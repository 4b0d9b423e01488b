"""kaggle-hub's pure parts: pull progress folding and the local checks of doctor."""

import os

import docker
import pytest

from spawner import doctor, pull


def test_pull_progress_counts_download_and_extraction_of_every_layer():
    def at(layer, status, current=None, total=None):
        detail = {"current": current, "total": total} if total else {}
        return {"id": layer, "status": status, "progressDetail": detail}

    events = [
        {"status": "Pulling from kth"},
        at("a", "Downloading", 10, 100),
        at("b", "Downloading", 50, 100),
        at("a", "Download complete"),
        at("a", "Extracting", 50, 100),
        at("b", "Download complete"),
        at("a", "Pull complete"),
        at("b", "Extracting", 100, 100),
        at("b", "Pull complete"),
    ]
    seen = list(pull.layer_progress(events))
    assert [(d, t, round(f, 3), n) for d, t, f, n in seen] == [
        (0, 0, 0.0, 0),
        (10, 100, 0.05, 1),
        (60, 200, 0.15, 2),
        (150, 200, 0.375, 2),
        (150, 200, 0.5, 2),
        (200, 200, 0.625, 2),
        (200, 200, 0.75, 2),
        (200, 200, 1.0, 2),
        (200, 200, 1.0, 2),
    ]
    fractions = [f for _, _, f, _ in seen]
    assert fractions == sorted(fractions)
    assert pull.bar(75_000_000, 150_000_000, 0.5, width=10) == "[#####.....]  50% 75/150 MB"


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
