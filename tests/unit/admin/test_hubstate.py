"""Restoring the hub's state: only what a hub backup holds, only inside the data dir, and
nothing changed by a backup that cannot be unpacked whole."""

import io
import sqlite3
import tarfile

import pytest

from spawner.admin.hubstate import DATABASE, HubStateError, restore


def backup_of(path, members):
    """A tar.gz at ``path`` of ``{name: bytes}``."""
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def data_dir(tmp_path):
    data = tmp_path / "data"
    (data / "tls").mkdir(parents=True)
    with sqlite3.connect(data / DATABASE) as db:
        db.execute("create table marker (what text)")
    (data / "tls/ca.pem").write_bytes(b"current ca")
    return data


CURRENT = b"SQLite format 3"


def test_a_hub_backup_replaces_the_state_and_keeps_the_old(data_dir, tmp_path):
    path = backup_of(tmp_path / "b.tar.gz", {DATABASE: b"old database", "tls/ca.pem": b"old ca"})
    saved = restore(data_dir, path)
    assert (data_dir / DATABASE).read_bytes() == b"old database"
    assert (data_dir / "tls/ca.pem").read_bytes() == b"old ca"
    assert saved is not None and saved.is_file()
    assert [p.name for p in data_dir.iterdir() if p.name.startswith(".restore")] == []


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("tls/../x", "not plainly inside the data dir"),
        ("../outside", "not plainly inside the data dir"),
        ("/etc/cron.d/x", "not plainly inside the data dir"),
        ("tls//ca.pem", "not plainly inside the data dir"),
        ("notes.txt", "something a hub backup does not hold"),
    ],
)
def test_names_outside_the_allow_list_are_refused_before_anything_changes(
    data_dir, tmp_path, name, reason
):
    path = backup_of(tmp_path / "b.tar.gz", {DATABASE: b"old database", name: b"x"})
    with pytest.raises(HubStateError, match=reason):
        restore(data_dir, path)
    assert (data_dir / DATABASE).read_bytes().startswith(CURRENT)
    assert not (data_dir / "x").exists() and not (tmp_path / "outside").exists()


def test_a_cut_backup_changes_nothing(data_dir, tmp_path):
    whole = backup_of(tmp_path / "b.tar.gz", {DATABASE: bytes(range(256)) * 8192})
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(HubStateError, match="not a complete hub backup"):
        restore(data_dir, cut)
    assert (data_dir / DATABASE).read_bytes().startswith(CURRENT)
    assert (data_dir / "tls/ca.pem").read_bytes() == b"current ca"
