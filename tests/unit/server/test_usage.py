"""What the home page says about a user's volumes: measured ones with their size and age,
one not measured yet as such, one that cannot be measured here not at all."""

import time
from types import SimpleNamespace

from spawner.server import naming, usage


def user(name, servers):
    return SimpleNamespace(name=name, orm_user=SimpleNamespace(orm_spawners=dict.fromkeys(servers)))


def test_rows_per_volume_with_size_age_and_missing_ones_left_out(monkeypatch):
    use = usage.VolumeUse()
    asked = []
    monkeypatch.setattr(use, "_ask", asked.append)
    volume = naming.volume_name("kth", "ann", "")
    gpu = naming.volume_name("kth", "ann", "gpu")
    old = naming.volume_name("kth", "ann", "old")
    use.measured[volume] = (3 * 1024**2, 70 * 1024**3, time.time() - 130)
    use.measured[old] = (None, None, time.time())
    rows = use.report("kth", user("ann", ["", "gpu", "old"]))
    assert rows == [
        {"server": "", "used": "3.0 MB", "free": "70.0 GB", "minutes": 2},
        {"server": "gpu", "used": None, "free": None, "minutes": 0},
    ]
    # The fresh measurement is kept; the others are asked for again.
    assert sorted(asked) == sorted([gpu, old])
    assert use.report("kth", None) == []


def test_disk_use_counts_the_files_on_the_disk(tmp_path):
    (tmp_path / "a").write_bytes(b"x" * 100_000)
    assert 100_000 <= usage.disk_use(tmp_path) < 200_000
