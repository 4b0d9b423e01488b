"""The name and labels a deleted server's volume is kept under (on this machine and on a
swarm node alike)."""

from datetime import UTC, datetime

from spawner.server import volumes
from spawner.server.quotas import LABEL_QUOTA_FILE


def test_a_quarantined_copy_is_named_by_the_time_and_keeps_its_owner_but_not_the_quota():
    now = datetime(2026, 12, 6, 21, 30, 5, tzinfo=UTC)
    labels = {**volumes.labels("kaggle", "ann"), LABEL_QUOTA_FILE: "/var/lib/q/ann.img"}
    name, kept = volumes.quarantined("kaggle-ann-work", labels, now)
    assert name == "kaggle-ann-work-deleted-20261206T213005Z"
    assert kept == {
        **volumes.labels("kaggle", "ann"),
        volumes.LABEL_QUARANTINED_AT: "2026-12-06T21:30:05+00:00",
        volumes.LABEL_QUARANTINED_FROM: "kaggle-ann-work",
    }
