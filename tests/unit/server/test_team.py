"""The team folder's rules: its name, its mount, and the home page's list of latest files
with their makers (read from a real folder with real extended attributes)."""

import os

import pytest

from spawner.server import team


@pytest.mark.parametrize("name", ["", ".hidden", "a/b", "code", "input", ".kaggle"])
def test_a_name_that_would_clash_or_hide_is_refused(name):
    assert "cannot name the team folder" in team.folder_problem(name)


def test_plain_names_are_taken():
    assert team.folder_problem("team") is None
    assert team.folder_problem("shared-2026") is None


def test_the_folder_is_one_volume_mounted_read_only_for_readers():
    assert team.bind("kth", "team", read_only=False) == {
        "kth-team": {"bind": "/tmp/working/team", "mode": "rw"}
    }
    assert team.bind("kth", "shared", read_only=True)["kth-team"]["mode"] == "ro"
    assert team.environment("team", "guests") == {
        "KAGGLE_HUB_TEAM_FOLDER": "/tmp/working/team",
        "KAGGLE_HUB_TEAM_READ_ONLY_GROUP": "guests",
    }
    assert team.is_team_volume({"Labels": team.labels("kth")})
    assert not team.is_team_volume({"Labels": {"org.kaggle-team-hub.user": "ann"}})


def test_the_latest_files_come_first_with_their_makers(tmp_path):
    (tmp_path / "models").mkdir()
    files = {"old.csv": (100, "ann"), "models/new.pt": (300, "bob"), "mid.txt": (200, "")}
    for name, (when, maker) in files.items():
        path = tmp_path / name
        path.write_text(name)
        os.utime(path, (when, when))
        if maker:
            os.setxattr(path, team.OWNER_XATTR, maker.encode())
    (tmp_path / ".hidden.txt").write_text("left out, as JupyterLab does")
    entries, looked, more = team.recent(str(tmp_path))
    assert [(e.path, e.owner) for e in entries] == [
        ("models/new.pt", "bob"),
        ("mid.txt", ""),
        ("old.csv", "ann"),
    ]
    assert (looked, more) == (3, False)
    row = entries[1].row(now=200 + 3 * 3600)
    assert row == {"path": "mid.txt", "owner": "not on record", "size": "7 B", "ago": "3 h ago"}
    assert entries[0].row(now=300 + 30)["ago"] == "just now"


def test_a_huge_folder_is_looked_at_up_to_the_limit(tmp_path):
    for i in range(5):
        (tmp_path / f"f{i}").write_text("x")
    entries, looked, more = team.recent(str(tmp_path), count=2, limit=3)
    assert len(entries) == 2 and more and looked == 3
