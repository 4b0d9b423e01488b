"""What a restore hands Docker of an archive's extended attributes: Docker's unpacking
applies every one in the tar's PAX records, so only the team folder's maker records pass.
And volume sizes while Docker counts disk usage for someone else."""

import gzip
import io
import tarfile
import time
from concurrent.futures import ThreadPoolExecutor

import docker

from spawner.admin import backups


def archive(path, records):
    with (
        gzip.open(path, "wb") as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        member = tarfile.TarInfo("./model.py")
        member.size = 5
        member.pax_headers = records
        tar.addfile(member, io.BytesIO(b"x = 1"))


def test_a_restore_passes_on_makers_and_no_other_attribute(tmp_path):
    path = tmp_path / "team.tar.gz"
    archive(
        path,
        {
            "SCHILY.xattr.user.kaggle-team-hub.owner": "ann",
            "SCHILY.xattr.security.capability": "\x01\x00\x00\x02",
            "LIBARCHIVE.xattr.trusted.overlay.opaque": "eQ==",
        },
    )
    written = b"".join(backups.checked_tar(path))
    with tarfile.open(fileobj=io.BytesIO(written)) as tar:
        (member,) = tar.getmembers()
        assert member.pax_headers == {"SCHILY.xattr.user.kaggle-team-hub.owner": "ann"}
        assert tar.extractfile(member).read() == b"x = 1"


class CountingElsewhere:
    """A Docker engine that is counting disk usage for another caller the whole time (a
    count lasting longer than the wait cannot be caused on demand; the docker tier causes
    the short ones for real)."""

    def df(self):
        raise docker.errors.APIError("500", explanation=backups.DF_BUSY)


def test_sizes_are_unknown_after_waiting_out_another_count_not_an_error():
    now = [0.0]
    sizes = backups.volume_sizes(
        CountingElsewhere(),
        seconds=30,
        clock=lambda: now[0],
        sleep=lambda s: now.__setitem__(0, now[0] + s),
    )
    assert sizes == {}
    assert now[0] == 30.0


class SlowCount:
    """A Docker engine whose disk-usage count takes a while, and which counts its counts."""

    base_url = "http+docker://localhost"

    def __init__(self, volumes):
        self.volumes, self.counts = volumes, 0

    def df(self):
        self.counts += 1
        counted = list(self.volumes)
        time.sleep(0.3)
        return {"Volumes": [{"Name": v, "UsageData": {"Size": 1}} for v in counted]}


def test_counts_asked_for_at_once_share_one_that_holds_what_each_wants(tmp_path):
    engine = SlowCount(["a-work", "b-work"])
    with ThreadPoolExecutor(4) as pool:
        found = list(
            pool.map(
                lambda _: backups.volume_sizes(engine, ["a-work"], shared_dir=tmp_path), range(4)
            )
        )
    assert found == [{"a-work": 1, "b-work": 1}] * 4
    assert engine.counts == 1
    # A count that ended before the ask, or lacks a volume asked for, is not taken.
    backups.volume_sizes(engine, ["a-work"], shared_dir=tmp_path)
    assert engine.counts == 2
    with ThreadPoolExecutor(2) as pool:
        first = pool.submit(backups.volume_sizes, engine, ["a-work"], shared_dir=tmp_path)
        time.sleep(0.1)
        engine.volumes.append("c-work")  # made while the first count runs
        second = pool.submit(backups.volume_sizes, engine, ["c-work"], shared_dir=tmp_path)
        assert "c-work" not in first.result()
        assert second.result()["c-work"] == 1
    assert engine.counts == 4
