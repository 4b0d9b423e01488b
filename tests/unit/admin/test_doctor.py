"""kaggle-hub doctor's local checks."""

import os

from spawner.admin import doctor


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
