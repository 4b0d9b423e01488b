"""kaggle-hub datasets: handles, credentials and archives, as plain values."""

import io
import json
import zipfile

import pytest

from spawner.admin import datasets
from spawner.admin.datasets import DatasetError, Handle, parse_handle


@pytest.mark.parametrize(
    ("text", "handle", "url"),
    [
        (
            "competitions/titanic",
            Handle("competitions", "titanic"),
            "API/competitions/data/download-all/titanic",
        ),
        (
            "heptapod/titanic-extra",
            Handle("datasets", "titanic-extra", "heptapod"),
            "API/datasets/download/heptapod/titanic-extra",
        ),
        (
            "heptapod/titanic-extra/versions/3",
            Handle("datasets", "titanic-extra", "heptapod", 3),
            "API/datasets/download/heptapod/titanic-extra?datasetVersionNumber=3",
        ),
    ],
)
def test_handles_name_their_folder_and_kaggles_address(tmp_path, text, handle, url):
    assert parse_handle(text) == handle
    assert handle.archive_url("API") == url
    assert handle.folder(tmp_path).relative_to(tmp_path).parts[0] == handle.kind


@pytest.mark.parametrize(
    "text", ["titanic", "competitions/../etc", "a/b/c", "a/b/versions/x", "", "/abs/path"]
)
def test_anything_else_is_not_a_handle(text):
    with pytest.raises(DatasetError, match="is not a Kaggle handle: use competitions/SLUG"):
        parse_handle(text)


def test_credentials_come_from_the_token_the_pair_or_kaggle_json(tmp_path):
    saved = tmp_path / "kaggle.json"
    saved.write_text(json.dumps({"username": "ann", "key": "k1"}))
    env = {"KAGGLE_CONFIG_DIR": str(tmp_path)}
    assert datasets.credentials(env, "/nowhere") == {"auth": ("ann", "k1")}
    pair = {**env, "KAGGLE_USERNAME": "bob", "KAGGLE_KEY": "k2"}
    assert datasets.credentials(pair, "/nowhere") == {"auth": ("bob", "k2")}
    token = {**pair, "KAGGLE_API_TOKEN": "t3"}
    assert datasets.credentials(token, "/nowhere") == {"headers": {"Authorization": "Bearer t3"}}
    with pytest.raises(DatasetError, match="No Kaggle credentials: put kaggle.json"):
        datasets.credentials({}, tmp_path / "home")
    saved.write_text("{not json")
    with pytest.raises(DatasetError, match="is not a kaggle.json with username and key"):
        datasets.credentials(env, "/nowhere")


def zip_with(name, data=b"x", link=False):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        info = zipfile.ZipInfo(name)
        if link:
            info.external_attr = 0o120777 << 16
        z.writestr(info, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "archive",
    [zip_with("../escape.csv"), zip_with("/etc/cron.d/x"), zip_with("link", b"/etc", link=True)],
)
def test_archives_reaching_outside_their_folder_are_refused_before_writing(tmp_path, archive):
    path = tmp_path / "a.zip"
    path.write_bytes(archive)
    target = tmp_path / "competitions/titanic"
    with pytest.raises(DatasetError, match="outside its folder"):
        datasets.unpack(path, target)
    assert not (tmp_path / "competitions").exists()


def test_listing_shows_kaggles_layout_then_plain_folders(tmp_path):
    (tmp_path / "competitions/titanic").mkdir(parents=True)
    (tmp_path / "competitions/titanic/train.csv").write_text("a,b\n")
    (tmp_path / "datasets/heptapod/houses").mkdir(parents=True)
    (tmp_path / "datasets/heptapod/houses/.kaggle-hub.json").write_text(
        json.dumps({"version": 2, "added": "2026-12-01T10:00:00+00:00"})
    )
    (tmp_path / "by-hand").mkdir()
    assert datasets.listing(tmp_path) == [
        ("competitions/titanic", None, 4, "by hand"),
        ("heptapod/houses", 2, 0, "2026-12-01T10:00:00+00:00"),
        ("by-hand", None, 0, "by hand"),
    ]
