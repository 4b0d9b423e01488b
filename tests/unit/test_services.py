from spawner import datasets, services, units


def test_idle_culler_service_and_its_narrow_role():
    (service,), (role,) = services.idle_culler(3600, "/py")
    assert service == {
        "name": "idle-culler",
        "command": ["/py", "-m", "jupyterhub_idle_culler", "--timeout=3600", "--cull-every=300"],
    }
    assert role == {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
    assert services.idle_culler(10, "/py")[0][0]["command"][-1] == "--cull-every=5"
    assert services.idle_culler(0, "/py") == ([], [])


def test_datasets_are_plain_subdirectories_mounted_read_only(tmp_path):
    for name in ("titanic", "house-prices", ".hidden", "bad name"):
        (tmp_path / name).mkdir()
    (tmp_path / "notes.txt").write_text("not a dataset")
    names = datasets.dataset_names(tmp_path)
    assert names == ["house-prices", "titanic"]
    assert datasets.dataset_binds(tmp_path, names) == {
        str(tmp_path / "house-prices"): {"bind": "/tmp/working/input/house-prices", "mode": "ro"},
        str(tmp_path / "titanic"): {"bind": "/tmp/working/input/titanic", "mode": "ro"},
    }
    assert datasets.dataset_names(tmp_path / "missing") == []


def test_human_size():
    assert [units.human_size(n) for n in (-1, 0, 1023, 2048, 5 * 1024**3)] == [
        "?",
        "0 B",
        "1023 B",
        "2.0 KB",
        "5.0 GB",
    ]


def test_parse_size():
    assert [units.parse_size(v) for v in ("512m", "16G", "2GiB", "100", 7, "1.5k")] == [
        512 * 1024**2,
        16 * 1024**3,
        2 * 1024**3,
        100,
        7,
        1536,
    ]
