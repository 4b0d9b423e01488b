import pytest

from spawner.hub import network


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.1.1", "::1", "localhost"])
def test_an_api_address_containers_cannot_reach_is_warned_about(address):
    (warning,) = network.api_warnings(address, "kaggle-team-hub", 28000)
    assert f"KAGGLE_HUB_API_IP={address} is this machine's loopback" in warning
    assert "Unset it" in warning


def test_an_api_address_the_admin_placed_elsewhere_is_left_to_them():
    assert network.api_warnings("172.17.0.1", "kaggle-team-hub", 28000) == []
