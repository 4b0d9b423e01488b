"""Load the real jupyterhub_config.py, as `jupyterhub -f` does, and check what it sets."""

import os
import stat
from importlib.metadata import entry_points

import pytest
from traitlets.config.loader import PyFileConfigLoader

from spawner import KaggleSpawner, settings


@pytest.fixture
def load(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("KAGGLE_HUB_"):
            monkeypatch.delenv(name)

    def load(**env):
        base = {
            "KAGGLE_HUB_DATA_DIR": str(tmp_path / "data"),
            "KAGGLE_HUB_API_IP": "127.0.0.1",
            "KAGGLE_HUB_ENV_FILE": str(tmp_path / "no.env"),
            "KAGGLE_HUB_CONFIG_D": str(tmp_path / "config.d"),
        }
        for name, value in {**base, **env}.items():
            monkeypatch.setenv(name, value)
        loader = PyFileConfigLoader("jupyterhub_config.py", path=str(settings.REPO_DIR))
        return loader.load_config()

    return load


def test_spawner_and_entry_point(load):
    c = load(KAGGLE_HUB_IMAGE="img:1", KAGGLE_HUB_NETWORK="net1", KAGGLE_HUB_PREFIX="p1")
    assert c.JupyterHub.spawner_class == "kaggle"
    (entry,) = entry_points(group="jupyterhub.spawners", name="kaggle")
    assert entry.load() is KaggleSpawner
    assert c.KaggleSpawner.image == "img:1"
    assert c.KaggleSpawner.network_name == "net1"
    assert c.KaggleSpawner.name_prefix == "p1"
    assert c.KaggleSpawner.shm_size == "2g"


def test_ports_and_addresses(load):
    c = load(KAGGLE_HUB_PORT="8123")
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8123"
    assert c.ConfigurableHTTPProxy.api_url == "http://127.0.0.1:18123"
    assert c.JupyterHub.hub_ip == "127.0.0.1"
    assert c.JupyterHub.hub_port == 28123


def test_state_lives_in_a_private_data_dir_and_secrets_are_kept(load, tmp_path):
    c = load()
    data = tmp_path / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert c.JupyterHub.db_url == f"sqlite:///{data}/jupyterhub.sqlite"
    assert c.JupyterHub.cookie_secret_file == f"{data}/jupyterhub_cookie_secret"
    assert c.JupyterHub.pid_file == f"{data}/jupyterhub.pid"
    assert c.ConfigurableHTTPProxy.pid_file == f"{data}/jupyterhub-proxy.pid"
    token_file = data / "proxy_auth_token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert len(c.ConfigurableHTTPProxy.auth_token) == 64
    assert load().ConfigurableHTTPProxy.auth_token == c.ConfigurableHTTPProxy.auth_token


def test_login_is_native_with_admin_approval(load):
    c = load(KAGGLE_HUB_ADMINS="ann,bob")
    assert c.JupyterHub.authenticator_class == "native"
    assert c.NativeAuthenticator.open_signup is False
    assert c.NativeAuthenticator.minimum_password_length >= 10
    assert c.NativeAuthenticator.check_common_password is True
    assert c.NativeAuthenticator.allowed_failed_logins == 5
    assert c.Authenticator.admin_users == {"ann", "bob"}


def test_named_servers(load):
    assert load().JupyterHub.allow_named_servers is True
    assert load().JupyterHub.named_server_limit_per_user == 3
    assert load(KAGGLE_HUB_NAMED_SERVERS="0").JupyterHub.allow_named_servers is False


def test_dropins_apply_last_in_name_order(load, tmp_path):
    d = tmp_path / "config.d"
    d.mkdir()
    (d / "20-second.py").write_text("c.KaggleSpawner.shm_size = '8g'\n")
    (d / "10-first.py").write_text("c.KaggleSpawner.shm_size = '4g'\nc.Spawner.mem_limit = '1G'\n")
    (d / "ignored.txt").write_text("c.KaggleSpawner.shm_size = 'no'\n")
    c = load()
    assert c.KaggleSpawner.shm_size == "8g"
    assert c.Spawner.mem_limit == "1G"


def test_env_file_next_to_the_config(load, tmp_path):
    env_file = tmp_path / "site.env"
    env_file.write_text("KAGGLE_HUB_NETWORK=from-env-file\n")
    assert load(KAGGLE_HUB_ENV_FILE=str(env_file)).KaggleSpawner.network_name == "from-env-file"


def test_bad_setting_stops_the_hub_with_its_name(load):
    with pytest.raises(settings.SettingsError, match="KAGGLE_HUB_PORT='x' is not a port"):
        load(KAGGLE_HUB_PORT="x")
