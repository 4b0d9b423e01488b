"""What is said of a volume's use against its quota, and which volumes have one."""

from spawner.server import quotas


def test_use_is_told_as_people_read_it_and_warns_from_ninety_percent():
    size = 20 * 1024**3
    assert quotas.Use(used=size // 2, size=size).text() == "10.0 GB of 20.0 GB (50%)"
    assert not quotas.Use(used=int(size * 0.89), size=size).nearly_full
    assert quotas.Use(used=int(size * 0.9), size=size).nearly_full
    assert quotas.Use(used=0, size=0).share == 0.0


def test_only_a_volume_made_with_a_quota_has_a_file_and_a_use(tmp_path):
    plain = {"Name": "kth-ann-work", "Labels": {"org.kaggle-team-hub.user": "ann"}}
    assert quotas.quota_file(plain) is None and quotas.use(plain) is None
    assert quotas.quota_file(None) is None
    capped = {
        "Labels": {quotas.LABEL_QUOTA_FILE: str(tmp_path / "v.ext4")},
        "Options": {"device": str(tmp_path / "v")},
    }
    assert quotas.quota_file(capped) == str(tmp_path / "v.ext4")
    # Not mounted (e.g. after a reboot, before its next use): no use to tell.
    assert quotas.use(capped) is None
