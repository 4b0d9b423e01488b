"""Backup sets on disk: the oldest go beyond the count, a cut-off set never counts, and a set
is checked before a restore changes anything."""

import json

import pytest

from spawner.admin import backupsets


def make_set(folder, stamp, volumes=()):
    path = folder / stamp
    (path / "volumes").mkdir(parents=True)
    manifest = {"prefix": "kaggle", "volumes": [{"name": v} for v in volumes]}
    (path / backupsets.MANIFEST).write_text(json.dumps(manifest))
    for v in volumes:
        (path / "volumes" / f"{v}.tar.gz").write_bytes(b"")
    return path


def test_rotation_keeps_the_newest_and_removes_cut_off_sets(tmp_path):
    stamps = ["20261201T030000Z", "20261202T030000Z", "20261203T030000Z", "20261204T030000Z"]
    for stamp in stamps:
        make_set(tmp_path, stamp)
    (tmp_path / ".partial-20261203T150000Z").mkdir()
    # A folder without a manifest is not a set: never counted, never removed.
    (tmp_path / "20261130T030000Z").mkdir()
    (tmp_path / "notes.txt").write_text("mine")

    removed = backupsets.rotate(tmp_path, keep=2)

    assert sorted(p.name for p in removed) == [
        ".partial-20261203T150000Z",
        "20261201T030000Z",
        "20261202T030000Z",
    ]
    assert [p.name for p in backupsets.complete_sets(tmp_path)] == stamps[2:]
    assert (tmp_path / "20261130T030000Z").is_dir()
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_a_set_of_another_hub_or_with_a_missing_volume_is_refused(tmp_path):
    with pytest.raises(backupsets.BackupSetError, match="not a backup set"):
        backupsets.read_manifest(tmp_path)
    path = make_set(tmp_path, "20261201T030000Z", ["kaggle-ann-work", "kaggle-bob-work"])
    manifest = backupsets.read_manifest(path)
    with pytest.raises(backupsets.BackupSetError, match="KAGGLE_HUB_PREFIX=kaggle"):
        backupsets._checked_volumes(manifest, "team", path)
    (path / "volumes" / "kaggle-bob-work.tar.gz").unlink()
    with pytest.raises(backupsets.BackupSetError, match="lacks volumes/kaggle-bob-work.tar.gz"):
        backupsets._checked_volumes(manifest, "kaggle", path)
    manifest["volumes"] = [{"name": "kaggle-../../etc"}]
    with pytest.raises(backupsets.BackupSetError, match="cannot own"):
        backupsets._checked_volumes(manifest, "kaggle", path)


def test_a_sets_settings_fill_a_missing_env_file_whole(tmp_path):
    saved = tmp_path / "settings.env"
    saved.write_text("# the team's\nKAGGLE_HUB_AUTH=github\n")
    env_file = tmp_path / ".env"
    assert backupsets._put_settings(saved, env_file) == ["KAGGLE_HUB_AUTH"]
    assert env_file.read_text() == saved.read_text()
    assert env_file.stat().st_mode & 0o077 == 0


def test_a_sets_settings_win_over_a_set_ups_and_the_file_is_kept_beside(tmp_path):
    saved = tmp_path / "settings.env"
    saved.write_text("KAGGLE_HUB_IMAGE=kaggle:1\nKAGGLE_HUB_AUTH=github\nKAGGLE_HUB_PORT=8000\n")
    env_file = tmp_path / ".env"
    env_file.write_text("KAGGLE_HUB_IMAGE=kaggle:2\nKAGGLE_HUB_PORT=8000\nKAGGLE_HUB_TLS=off\n")
    before = env_file.read_text()
    assert backupsets._put_settings(saved, env_file) == ["KAGGLE_HUB_AUTH", "KAGGLE_HUB_IMAGE"]
    assert env_file.read_text() == (
        "KAGGLE_HUB_PORT=8000\nKAGGLE_HUB_TLS=off\nKAGGLE_HUB_IMAGE=kaggle:1\n"
        "KAGGLE_HUB_AUTH=github\n"
    )
    assert (tmp_path / ".env.before-restore").read_text() == before
    # Nothing to change: nothing written, nothing kept aside again.
    (tmp_path / ".env.before-restore").unlink()
    assert backupsets._put_settings(saved, env_file) == []
    assert not (tmp_path / ".env.before-restore").exists()
