from spawner.server import datasets


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
