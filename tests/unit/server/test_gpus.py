"""GPU allocation: which devices a server gets, and what a refusal says."""

import pytest

from spawner.errors import SpawnError
from spawner.server import gpus
from spawner.server.gpus import Holding

POOL = ("0", "1", "2", "3")
ANN = Holding("0", "ann", "", "2026-12-05T09:14:03.123456789Z")
BOB = Holding("1", "bob", "train", "2026-12-05T10:02:00Z")


def test_a_count_takes_the_first_free_devices():
    assert gpus.choose(1, POOL, [], "cy") == ["0"]
    assert gpus.choose(2, POOL, [ANN, BOB], "cy") == ["2", "3"]
    assert gpus.choose(1, POOL, [BOB], "cy") == ["0"]


def test_no_free_device_says_who_holds_them_since_when():
    with pytest.raises(SpawnError) as refused:
        gpus.choose(3, POOL, [ANN, BOB], "cy", profile="gpu")
    assert refused.value.status_code == 409
    assert str(refused.value) == (
        "No GPU is free for the profile 'gpu' (it asks for 3 of this machine's 4): GPU 0 by "
        "ann since 2026-12-05 09:14 UTC, GPU 1 by bob's server 'train' since 2026-12-05 "
        "10:02 UTC. Start again when one is stopped, or choose a profile without GPUs."
    )


def test_a_listed_device_is_exclusive_too():
    assert gpus.choose(("2",), POOL, [ANN, BOB], "cy") == ["2"]
    with pytest.raises(SpawnError, match="needs GPU 1, 2, which is held: GPU 1 by bob's"):
        gpus.choose(("1", "2"), POOL, [ANN, BOB], "cy")


def test_all_takes_the_whole_pool_only_when_every_device_is_free():
    assert gpus.choose("all", POOL, [], "cy") == list(POOL)
    with pytest.raises(SpawnError, match="held: GPU 0 by ann since"):
        gpus.choose("all", POOL, [ANN], "cy")
    # No pool known: Docker is asked for every device, as before.
    assert gpus.choose("all", (), [], "cy") is None


def test_a_count_without_a_pool_or_beyond_it_names_the_setting_or_the_size():
    with pytest.raises(SpawnError, match="finds no GPU on this machine.*KAGGLE_HUB_GPUS"):
        gpus.choose(1, (), [], "cy")
    with pytest.raises(SpawnError, match="asks for 5 GPUs; this machine has 4"):
        gpus.choose(5, POOL, [], "cy")


def test_the_per_user_limit_counts_all_of_a_members_servers():
    assert gpus.choose(1, POOL, [ANN], "ann", per_user=2) == ["1"]
    with pytest.raises(SpawnError) as refused:
        gpus.choose(1, POOL, [ANN], "ann", per_user=1, profile="gpu")
    assert "a member may hold 1 at once (KAGGLE_HUB_GPUS_PER_USER) and you hold 1 (GPU 0" in (
        str(refused.value)
    )
    with pytest.raises(SpawnError, match="asks for 2 GPU.* and you hold none"):
        gpus.choose(2, POOL, [], "ann", per_user=1)


def test_what_a_container_holds_from_its_device_requests():
    gpu = [["gpu"]]
    assert gpus.held_by({"DeviceRequests": [{"DeviceIDs": ["2"], "Capabilities": gpu}]}, POOL) == [
        "2"
    ]
    assert gpus.held_by({"DeviceRequests": [{"Count": -1, "Capabilities": gpu}]}, POOL) == list(
        POOL
    )
    # Docker's own count gives the first devices.
    assert gpus.held_by({"DeviceRequests": [{"Count": 2, "Capabilities": gpu}]}, POOL) == [
        "0",
        "1",
    ]
    assert gpus.held_by({"DeviceRequests": None}, POOL) == []
    assert gpus.held_by({"DeviceRequests": [{"Count": 1, "Capabilities": [["tpu"]]}]}, POOL) == []


def test_nvidia_smi_rows_and_what_cannot_be_read():
    text = (
        "0, NVIDIA A100-SXM4-40GB, 37, 1228, 40960\n"
        "1, NVIDIA A100-SXM4-40GB, [N/A], [N/A], 40960\n"
        "No devices were found\n"
    )
    assert gpus.parse_smi(text) == [
        gpus.Device("0", "NVIDIA A100-SXM4-40GB", "37 %, 1.2 of 40.0 GB"),
        gpus.Device("1", "NVIDIA A100-SXM4-40GB", "not reported"),
    ]


def test_the_pool_is_the_admins_list_when_set():
    assert gpus.pool(("2", "3")) == ("2", "3")
    assert gpus.pool(()) == ()


def test_the_pool_nvidia_smi_lists_is_kept_once_it_lists_some(monkeypatch):
    monkeypatch.setattr(gpus, "_LISTED", {})
    # A driver that does not answer yet (hub started first) is asked again next time.
    assert gpus.pool(None, []) == ()
    two = [gpus.Device("0", "A100", "-"), gpus.Device("1", "A100", "-")]
    assert gpus.pool(None, two) == ("0", "1")
    # Kept: a later failed answer does not empty the machine's pool.
    assert gpus.pool(None, []) == ("0", "1")
    assert gpus.pool(("1",), []) == ("1",)
