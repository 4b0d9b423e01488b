"""What the home page says about a user's volumes: measured ones with their size and age,
one not measured yet as such, one that cannot be measured here not at all."""

import time
from types import SimpleNamespace

from spawner.server import naming, quotas, usage


def user(name, servers):
    return SimpleNamespace(name=name, orm_user=SimpleNamespace(orm_spawners=dict.fromkeys(servers)))


def test_rows_per_volume_with_size_age_and_missing_ones_left_out(monkeypatch):
    use = usage.VolumeUse()
    asked = []
    monkeypatch.setattr(use, "_ask", asked.append)
    volume = naming.volume_name("kth", "ann", "")
    gpu = naming.volume_name("kth", "ann", "gpu")
    old = naming.volume_name("kth", "ann", "old")
    capped = naming.volume_name("kth", "ann", "capped")
    use.measured[volume] = (3 * 1024**2, 70 * 1024**3, time.time() - 130, None)
    use.measured[old] = (None, None, time.time(), None)
    quota_use = quotas.Use(used=19 * 1024**3, size=20 * 1024**3)
    use.measured[capped] = (19 * 1024**3, 1024**3, time.time(), quota_use)
    rows = use.report("kth", user("ann", ["", "gpu", "old", "capped"]))
    assert rows == [
        {"server": "", "used": "3.0 MB", "free": "70.0 GB", "minutes": 2, "quota": None},
        {
            "server": "capped",
            "used": "19.0 GB",
            "free": "1.0 GB",
            "minutes": 0,
            "quota": "20.0 GB",
            "percent": 95,
            "nearly_full": True,
        },
        {"server": "gpu", "used": None, "free": None, "minutes": 0, "quota": None},
    ]
    # The fresh measurement is kept; the others, and a quota's (known at once), are asked
    # for again.
    assert sorted(asked) == sorted([capped, gpu, old])
    assert use.report("kth", None) == []


def test_disk_use_counts_the_files_on_the_disk(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 100_000)
    assert 100_000 <= usage.disk_use(tmp_path) < 200_000
