"""What a restore hands Docker of an archive's extended attributes: Docker's unpacking
applies every one in the tar's PAX records, so only the team folder's maker records pass."""

import gzip
import io
import tarfile

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
