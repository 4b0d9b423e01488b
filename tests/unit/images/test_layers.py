"""Docker's pull events folded into progress over all layers."""

import docker
import pytest

from spawner.images import layers


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("kaggle/python", ("kaggle/python", "latest")),
        ("gcr.io/kaggle-images/python:v160", ("gcr.io/kaggle-images/python", "v160")),
        ("127.0.0.1:5000/team/kaggle", ("127.0.0.1:5000/team/kaggle", "latest")),
        ("127.0.0.1:5000/team/kaggle:1", ("127.0.0.1:5000/team/kaggle", "1")),
    ],
)
def test_split_image(image, expected):
    assert layers.split_image(image) == expected


def test_pull_progress_counts_download_and_extraction_of_every_layer():
    def at(layer, status, current=None, total=None):
        detail = {"current": current, "total": total} if total else {}
        return {"id": layer, "status": status, "progressDetail": detail}

    events = [
        {"status": "Pulling from kth"},
        at("a", "Downloading", 10, 100),
        at("b", "Downloading", 50, 100),
        at("a", "Download complete"),
        at("a", "Extracting", 50, 100),
        at("b", "Download complete"),
        at("a", "Pull complete"),
        at("b", "Extracting", 100, 100),
        at("b", "Pull complete"),
    ]
    seen = list(layers.layer_progress(events))
    assert [(d, t, round(f, 3), n) for d, t, f, n in seen] == [
        (0, 0, 0.0, 0),
        (10, 100, 0.05, 1),
        (60, 200, 0.15, 2),
        (150, 200, 0.375, 2),
        (150, 200, 0.5, 2),
        (200, 200, 0.625, 2),
        (200, 200, 0.75, 2),
        (200, 200, 1.0, 2),
        (200, 200, 1.0, 2),
    ]
    fractions = [f for _, _, f, _ in seen]
    assert fractions == sorted(fractions)


def test_pull_error_event_is_raised():
    with pytest.raises(docker.errors.APIError, match="manifest unknown"):
        list(layers.layer_progress([{"error": "manifest unknown"}]))
