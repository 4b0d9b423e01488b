import pytest

from spawner.hub import network


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.1.1", "::1", "localhost"])
def test_an_api_address_containers_cannot_reach_is_warned_about(address):
    (warning,) = network.api_warnings(address, "kaggle-team-hub", 28000)
    assert f"KAGGLE_HUB_API_IP={address} is this machine's loopback" in warning
    assert "Unset it" in warning


def test_an_api_address_the_admin_placed_elsewhere_is_left_to_them():
    assert network.api_warnings("172.17.0.1", "kaggle-team-hub", 28000) == []


def test_the_api_guard_lets_in_the_users_bridge_and_this_machine_only():
    assert network.guard_rules("G", "br-1") == [
        ["-A", "G", "-i", "br-1", "-j", "RETURN"],
        ["-A", "G", "-i", "lo", "-j", "RETURN"],
        ["-A", "G", "-j", "DROP"],
    ]
    assert network.guard_chain_name("br-1") != network.chain_name("br-1")
    assert len(network.guard_chain_name("br-" + "x" * 40)) <= 28


def test_chains_of_bridges_that_are_gone_are_swept_jumps_first():
    live, gone = "br-live", "br-gone"
    rules = "\n".join(
        [
            "-P INPUT ACCEPT",
            f"-N {network.chain_name(live)}",
            f"-N {network.chain_name(gone)}",
            f"-N {network.guard_chain_name(gone)}",
            "-N DOCKER-USER",
            f"-A INPUT -i {live} -j {network.chain_name(live)}",
            "-A INPUT -d 172.30.0.1/32 -p tcp -m tcp --dport 28000 -j "
            + network.guard_chain_name(gone),
            f"-A INPUT -i {gone} -j {network.chain_name(gone)}",
            "-A INPUT -j DOCKER-USER",
        ]
    )
    assert network.stale_chain_commands(rules, [live]) == [
        [
            "-D",
            "INPUT",
            "-d",
            "172.30.0.1/32",
            "-p",
            "tcp",
            "-m",
            "tcp",
            "--dport",
            "28000",
            "-j",
            network.guard_chain_name(gone),
        ],
        ["-D", "INPUT", "-i", gone, "-j", network.chain_name(gone)],
        ["-F", network.chain_name(gone)],
        ["-X", network.chain_name(gone)],
        ["-F", network.guard_chain_name(gone)],
        ["-X", network.guard_chain_name(gone)],
    ]
