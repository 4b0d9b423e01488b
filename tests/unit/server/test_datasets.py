from spawner.server import datasets

INPUT = "/tmp/working/input"


def ro(path):
    return {"bind": f"{INPUT}/{path}", "mode": "ro"}


def test_plain_folders_are_mounted_read_only_under_their_names(tmp_path):
    for name in ("titanic", "house-prices", ".hidden", "bad name"):
        (tmp_path / name).mkdir()
    (tmp_path / "notes.txt").write_text("not a dataset")
    assert datasets.dataset_binds(tmp_path) == {
        str(tmp_path / "house-prices"): ro("house-prices"),
        str(tmp_path / "titanic"): ro("titanic"),
    }
    assert datasets.dataset_binds(tmp_path / "missing") == {}


def test_kaggles_layout_is_mounted_whole_and_each_dataset_under_its_classic_name(tmp_path):
    for path in (
        "competitions/titanic",
        "competitions/spaceship-titanic",
        "datasets/heptapod/titanic",  # its classic name is taken by the competition
        "datasets/yasserh/housing-prices-dataset",
        "datasets/zoe/house-prices",  # taken by the plain folder
        "house-prices",
    ):
        (tmp_path / path).mkdir(parents=True)
    assert datasets.dataset_binds(tmp_path) == {
        str(tmp_path / "competitions"): ro("competitions"),
        str(tmp_path / "datasets"): ro("datasets"),
        str(tmp_path / "competitions/titanic"): ro("titanic"),
        str(tmp_path / "competitions/spaceship-titanic"): ro("spaceship-titanic"),
        str(tmp_path / "datasets/yasserh/housing-prices-dataset"): ro("housing-prices-dataset"),
        str(tmp_path / "house-prices"): ro("house-prices"),
    }


def test_a_start_makes_kaggles_folders_so_data_added_later_is_seen(tmp_path):
    assert datasets.prepare("") == {}
    assert datasets.prepare(tmp_path) == {
        "dir": str(tmp_path.resolve()),
        "kinds": ["competitions", "datasets"],
    }
    assert (tmp_path / "competitions").is_dir() and (tmp_path / "datasets").is_dir()
