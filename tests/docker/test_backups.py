"""Restoring a user's volume with kaggle-hub: replace, never merge; all or nothing; never
into a running server; never a device node or a setuid file from an archive. Listings and
backups made at the same moment all succeed."""

import gzip
import io
import re
import subprocess
import tarfile
from concurrent.futures import ThreadPoolExecutor

import pytest

from ..hubprocess import UserServer, kaggle_hub

pytestmark = [pytest.mark.docker, pytest.mark.reliability]


def volume_files(image, volume):
    """{path: (type, octal mode)} of every entry in ``volume``, read by a throwaway container."""
    listing = subprocess.run(
        ["docker", "run", "--rm", "--network", "none", "-v", f"{volume}:/data", image]
        + ["find", "/data", "-mindepth", "1", "-printf", r"%P %y %m\n"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return {
        path: (kind, mode)
        for path, kind, mode in (line.split() for line in listing.split("\n") if line)
    }


def put_files(image, volume, script):
    subprocess.run(
        ["docker", "run", "--rm", "--network", "none", "-v", f"{volume}:/data", image]
        + ["sh", "-c", script],
        check=True,
        timeout=60,
    )


def archive(path, members):
    """Write a tar.gz of ``members``: (TarInfo, bytes or None)."""
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def entry(name, data=None, kind=tarfile.REGTYPE, mode=0o644, **extra):
    info = tarfile.TarInfo(name)
    info.type, info.mode = kind, mode
    for key, value in extra.items():
        setattr(info, key, value)
    return info, data


@pytest.fixture
def settings(make_hub):
    """The settings of a hub that is not running: kaggle-hub needs no running hub."""
    return make_hub(start=False)


def test_force_replaces_the_content_and_keeps_the_old_one_quarantined(settings, image, tmp_path):
    volume = f"{settings.prefix}-ada-work"
    put_files(image, volume, "mkdir -p /data/code && echo old > /data/code/old.txt")
    backup = archive(
        tmp_path / "b.tar.gz",
        [entry("./code", kind=tarfile.DIRTYPE, mode=0o755), entry("./code/new.txt", b"new\n")],
    )

    refused = kaggle_hub(settings.env, "restore", "ada", str(backup))
    assert refused.returncode == 2
    assert "is not empty: nothing was changed. Pass --force to replace" in refused.stderr
    assert set(volume_files(image, volume)) == {"code", "code/old.txt"}

    forced = kaggle_hub(settings.env, "restore", "ada", str(backup), "--force")
    assert forced.returncode == 0, forced.stderr
    assert set(volume_files(image, volume)) == {"code", "code/new.txt"}
    kept = re.search(r"previous content is kept in (\S+):", forced.stdout).group(1)
    assert kept.startswith(f"{volume}-deleted-")
    assert set(volume_files(image, kept)) == {"code", "code/old.txt"}
    assert f"--from-volume {kept} --force' puts it back" in forced.stdout


def test_listings_and_a_backup_made_at_once_all_succeed_with_sizes(settings, image, tmp_path):
    # Docker 20.10 refuses a disk-usage count while another runs; each of these asks for one.
    volume = f"{settings.prefix}-ada-work"
    put_files(image, volume, "mkdir -p /data/code && head -c 300000 /dev/zero > /data/code/z")
    commands = [("volumes",)] * 5 + [("backup", "ada", "-o", str(tmp_path / "ada.tar.gz"))]
    with ThreadPoolExecutor(len(commands)) as pool:
        done = list(pool.map(lambda args: kaggle_hub(settings.env, *args), commands))
    for result in done:
        assert result.returncode == 0, result.stderr
    for listing in done[:-1]:
        (row,) = [line for line in listing.stdout.splitlines() if line.startswith(volume)]
        assert "KB" in row, listing.stdout
    assert f"Wrote {volume} to " in done[-1].stdout


def test_restore_into_a_running_server_is_refused(make_hub, tmp_path):
    hub = make_hub()
    bea = UserServer(hub, "bea", hub.create_user("bea"))
    hub.start_server("bea")
    bea.put_text("code/mine.txt", "mine\n")
    backup = archive(tmp_path / "b.tar.gz", [entry("./code/other.txt", b"other\n")])
    refused = kaggle_hub(hub.env, "restore", "bea", str(backup), "--force")
    assert refused.returncode == 2
    assert f"is in use by {hub.prefix}-bea: stop that server first" in refused.stderr
    assert bea.read_text("code/mine.txt") == "mine\n"
    assert bea.get("api/contents/code/other.txt").status_code == 404


HOSTILE = [
    ("a device node", [entry("./sda", kind=tarfile.BLKTYPE, devmajor=8, devminor=0)]),
    ("a device node", [entry("./null", kind=tarfile.CHRTYPE, devmajor=1, devminor=3)]),
    ("a special file", [entry("./pipe", kind=tarfile.FIFOTYPE)]),
    ("a setuid or setgid file", [entry("./sh", b"#!/bin/sh\n", mode=0o4755)]),
    ("a setuid or setgid file", [entry("./g", b"x", mode=0o2755)]),
    ("a path outside the volume", [entry("../escape.txt", b"x")]),
    ("a path outside the volume", [entry("/etc/cron.d/x", b"x")]),
    (
        "a hard link to a file outside",
        [entry("./pw", kind=tarfile.LNKTYPE, linkname="../etc/passwd")],
    ),
    (
        "a path through one of its own symbolic links",
        [entry("./etc", kind=tarfile.SYMTYPE, linkname="/etc"), entry("./etc/cron.d/x", b"x")],
    ),
]


@pytest.mark.parametrize(("reason", "members"), HOSTILE, ids=[f"{i}" for i in range(len(HOSTILE))])
def test_a_hostile_archive_is_refused_before_anything_is_written(
    settings, image, tmp_path, reason, members
):
    volume = f"{settings.prefix}-cai-work"
    # A harmless first member: nothing of the archive may land, not even that.
    hostile = archive(tmp_path / "h.tar.gz", [entry("./fine.txt", b"fine\n"), *members])
    refused = kaggle_hub(settings.env, "restore", "cai", str(hostile))
    assert refused.returncode == 2, refused.stdout
    assert reason in refused.stderr
    assert "nothing was restored" in refused.stderr
    assert not volume_exists(volume)


def volume_exists(volume):
    return (
        subprocess.run(["docker", "volume", "inspect", volume], capture_output=True).returncode == 0
    )


def test_a_damaged_archive_is_refused_and_a_failed_unpack_leaves_the_volume_empty(
    settings, image, tmp_path
):
    volume = f"{settings.prefix}-dan-work"
    whole = archive(tmp_path / "w.tar.gz", [entry("./big.bin", bytes(range(256)) * 4096)])
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    refused = kaggle_hub(settings.env, "restore", "dan", str(cut))
    assert refused.returncode == 2
    assert "is not a complete .tar.gz" in refused.stderr
    assert not volume_exists(volume)

    # Docker cannot unpack x/y under a file x: the first file was written by then.
    clash = archive(
        tmp_path / "c.tar.gz",
        [entry("./first.txt", b"1\n"), entry("./x", b"file\n"), entry("./x/y", b"2\n")],
    )
    failed = kaggle_hub(settings.env, "restore", "dan", str(clash))
    assert failed.returncode == 2
    assert "The restore failed" in failed.stderr
    assert f"{volume} is left empty" in failed.stderr
    assert volume_files(image, volume) == {}


def test_a_header_only_one_parser_reads_cannot_smuggle_a_file_past_the_check(
    settings, image, tmp_path
):
    """A header whose checksum field starts with NUL: Python's tarfile took it for the end
    of the archive, Docker's unpacker read it and wrote a setuid-root file."""
    plain = io.BytesIO()
    with tarfile.open(fileobj=plain, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for info, data in (entry("./fine.txt", b"fine\n"), entry("./evil", b"#!/bin/sh\n")):
            info.size = len(data)
            if info.name == "./evil":
                info.mode = 0o4755
            tar.addfile(info, io.BytesIO(data))
    raw = bytearray(plain.getvalue())
    evil = raw.index(b"./evil")
    checksum = raw[evil + 148 : evil + 156]
    assert checksum.startswith(b"0"), checksum  # the same number without its leading zero
    raw[evil + 148] = 0
    crafted = tmp_path / "crafted.tar.gz"
    crafted.write_bytes(gzip.compress(bytes(raw)))
    volume = f"{settings.prefix}-eda-work"
    refused = kaggle_hub(settings.env, "restore", "eda", str(crafted))
    assert refused.returncode == 2, refused.stdout
    assert "cannot be read as files" in refused.stderr
    assert "nothing was restored" in refused.stderr
    assert not volume_exists(volume)
