"""Which images the hub is configured with."""

import pytest

from spawner.images import inventory


@pytest.mark.parametrize(
    ("image", "profiles", "expected"),
    [
        ("hub:1", (), ["hub:1"]),
        ("hub:1", ({"name": "cpu"},), ["hub:1"]),
        ("hub:1", ({"name": "gpu", "image": "gpu:1"}, {"name": "cpu"}), ["gpu:1", "hub:1"]),
        ("hub:1", ({"name": "a", "image": "b:1"}, {"name": "c", "image": "b:1"}), ["b:1", "hub:1"]),
    ],
)
def test_configured_images_are_the_hubs_and_every_profiles(image, profiles, expected):
    assert inventory.configured_images(image, profiles) == expected
