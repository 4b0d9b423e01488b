from pathlib import Path

import jupyterhub
import pytest

from spawner.settings import hub
from spawner.settings.environment import SettingsError


def test_defaults(tmp_path):
    s = hub.from_env({}, config_dir=tmp_path, euid=0, home="/root")
    assert s.image == f"kaggle-team-hub:kaggle-jh{jupyterhub.__version__}"
    assert s.data_dir == Path("/var/lib/kaggle-team-hub")
    assert (s.ip, s.port, s.proxy_api_port, s.api_port) == ("127.0.0.1", 8000, 18000, 28000)
    assert (s.network, s.network_internal, s.prefix) == ("kaggle-team-hub", False, "kaggle")
    assert s.api_ip == ""
    assert s.shm_size == "2g"
    assert s.admins == frozenset()
    assert s.named_servers == 3
    assert s.config_d == tmp_path / "jupyterhub_config.d"
    assert s.prepull is True
    assert (s.gpus, s.gpus_per_user) == (None, 0)


def test_non_root_data_dir_is_under_home(tmp_path):
    s = hub.from_env({}, config_dir=tmp_path, euid=1000, home="/home/ann")
    assert s.data_dir == Path("/home/ann/.local/share/kaggle-team-hub")


def test_values_from_variables(tmp_path):
    env = {
        "KAGGLE_HUB_PORT": "8100",
        "KAGGLE_HUB_NETWORK_INTERNAL": "1",
        "KAGGLE_HUB_ADMINS": " ann, bob ,,",
        "KAGGLE_HUB_NAMED_SERVERS": "0",
        "KAGGLE_HUB_IMAGE": "my/image:1",
        "KAGGLE_HUB_PREPULL": "0",
        "KAGGLE_HUB_GPUS": " 0, 1,GPU-4f2a ",
        "KAGGLE_HUB_GPUS_PER_USER": "1",
    }
    s = hub.from_env(env, config_dir=tmp_path)
    assert (s.port, s.proxy_api_port, s.api_port) == (8100, 18100, 28100)
    assert s.network_internal is True
    assert s.admins == {"ann", "bob"}
    assert s.named_servers == 0
    assert s.image == "my/image:1"
    assert s.prepull is False
    assert (s.gpus, s.gpus_per_user) == (("0", "1", "GPU-4f2a"), 1)
    assert hub.from_env({"KAGGLE_HUB_GPUS": "none"}, config_dir=tmp_path).gpus == ()


def test_adjacent_hub_ports_never_share_api_ports(tmp_path):
    a = hub.from_env({"KAGGLE_HUB_PORT": "8000"}, config_dir=tmp_path)
    b = hub.from_env({"KAGGLE_HUB_PORT": "8001"}, config_dir=tmp_path)
    ports_a = {a.port, a.proxy_api_port, a.api_port}
    ports_b = {b.port, b.proxy_api_port, b.api_port}
    assert len(ports_a) == len(ports_b) == 3
    assert not ports_a & ports_b


@pytest.mark.parametrize("port", [1024, 8000, 45535, 55535, 65535])
def test_derived_ports_stay_unprivileged_and_differ(port):
    for offset in (10000, 20000):
        derived = hub.derived_port(port, offset)
        assert 1024 <= derived <= 65535
        assert derived != port


@pytest.mark.parametrize(
    "env, message",
    [
        ({"KAGGLE_HUB_PORT": "eighty"}, "KAGGLE_HUB_PORT='eighty' is not a port"),
        ({"KAGGLE_HUB_PORT": "70000"}, "KAGGLE_HUB_PORT='70000' is not a port"),
        ({"KAGGLE_HUB_NETWORK_INTERNAL": "maybe"}, "KAGGLE_HUB_NETWORK_INTERNAL='maybe'"),
        ({"KAGGLE_HUB_PREPULL": "later"}, "KAGGLE_HUB_PREPULL='later' is not a flag"),
        ({"KAGGLE_HUB_NAMED_SERVERS": "-1"}, "KAGGLE_HUB_NAMED_SERVERS='-1' is not a count"),
        ({"KAGGLE_HUB_PREFIX": "bad prefix"}, "KAGGLE_HUB_PREFIX: Name prefix 'bad prefix'"),
        ({"KAGGLE_HUB_SHM_SIZE": "lots"}, "KAGGLE_HUB_SHM_SIZE='lots' is not a size"),
        ({"KAGGLE_HUB_GPUS": "0,0"}, "KAGGLE_HUB_GPUS='0,0': list each GPU once"),
        ({"KAGGLE_HUB_GPUS": "0;1"}, "KAGGLE_HUB_GPUS='0;1': list each GPU once"),
        ({"KAGGLE_HUB_DISK_QUOTA": "lots"}, "KAGGLE_HUB_DISK_QUOTA='lots' is not a size"),
        ({"KAGGLE_HUB_DISK_QUOTA": "8m"}, "a volume needs at least 32m"),
        (
            {"KAGGLE_HUB_DISK_QUOTA": "20g", "KAGGLE_HUB_ENGINE": "swarm"},
            "set quotas on the NFS export",
        ),
        ({"KAGGLE_HUB_TEAM_FOLDER": "code"}, "'code' cannot name the team folder"),
        ({"KAGGLE_HUB_TEAM_FOLDER": "a/b"}, "'a/b' cannot name the team folder"),
        (
            {"KAGGLE_HUB_TEAM_FOLDER": "team", "KAGGLE_HUB_ENGINE": "swarm"},
            "set KAGGLE_HUB_SWARM_NFS, or set KAGGLE_HUB_TEAM_FOLDER=off",
        ),
        (
            {"KAGGLE_HUB_PORT": "9000", "KAGGLE_HUB_API_PORT": "9000"},
            "must all differ",
        ),
    ],
)
def test_bad_values_name_the_variable(tmp_path, env, message):
    with pytest.raises(SettingsError) as e:
        hub.from_env(env, config_dir=tmp_path)
    assert message in str(e.value)


def test_a_quota_needs_a_hub_that_can_mount(tmp_path):
    with pytest.raises(SettingsError, match="needs root"):
        hub.from_env({"KAGGLE_HUB_DISK_QUOTA": "20g"}, config_dir=tmp_path, euid=1000)
    assert hub.from_env({"KAGGLE_HUB_DISK_QUOTA": "20g"}, config_dir=tmp_path, euid=0)


def test_the_team_folder_is_on_unless_turned_off_or_on_a_swarm_without_nfs(tmp_path):
    def folder(env):
        return hub.from_env(env, config_dir=tmp_path).team_folder

    assert folder({}) == "team"
    assert folder({"KAGGLE_HUB_TEAM_FOLDER": " shared "}) == "shared"
    assert folder({"KAGGLE_HUB_TEAM_FOLDER": "off"}) == ""
    assert folder({"KAGGLE_HUB_ENGINE": "swarm"}) == ""
    on_nfs = {"KAGGLE_HUB_ENGINE": "swarm", "KAGGLE_HUB_SWARM_NFS": "nfs.lan:/srv/vols"}
    assert folder(on_nfs) == "team"
