"""Load the real jupyterhub_config.py, as `jupyterhub -f` does, and check what it sets."""

import os
import socket
import stat
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from types import SimpleNamespace

import pytest
from traitlets.config.loader import PyFileConfigLoader

from spawner import KaggleSpawner
from spawner.login.authenticators import KaggleNativeAuthenticator
from spawner.settings.environment import REPO_DIR
from spawner.swarm.spawner import KaggleSwarmSpawner


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
        loader = PyFileConfigLoader("jupyterhub_config.py", path=str(REPO_DIR))
        return loader.load_config()

    return load


def spawner_for(cls, config):
    user = SimpleNamespace(name="ann", id=1, url="/user/ann/", server=None)
    orm_spawner = SimpleNamespace(name="", server=None, state=None)
    return cls(user=user, orm_spawner=orm_spawner, config=config)


def test_spawner_and_entry_point(load):
    c = load(KAGGLE_HUB_IMAGE="img:1", KAGGLE_HUB_NETWORK="net1", KAGGLE_HUB_PREFIX="p1")
    assert c.JupyterHub.spawner_class == "kaggle"
    (entry,) = entry_points(group="jupyterhub.spawners", name="kaggle")
    assert entry.load() is KaggleSpawner
    spawner = spawner_for(KaggleSpawner, c)
    assert (spawner.image, spawner.network_name) == ("img:1", "net1")
    assert (spawner.name_prefix, spawner.shm_size) == ("p1", "2g")
    assert spawner.object_name == "p1-ann"


def test_the_same_settings_reach_the_swarm_spawner(load):
    c = load(KAGGLE_HUB_IMAGE="img:1", KAGGLE_HUB_NETWORK="net1", KAGGLE_HUB_PREFIX="p1")
    (entry,) = entry_points(group="jupyterhub.spawners", name="kaggle-swarm")
    assert entry.load() is KaggleSwarmSpawner
    spawner = spawner_for(KaggleSwarmSpawner, c)
    assert (spawner.image, spawner.network_name) == ("img:1", "net1")
    assert (spawner.name_prefix, spawner.object_name) == ("p1", "p1-ann")
    assert (spawner.nfs_host, spawner.schedule_seconds) == ("", 30)


def test_ports_and_addresses(load):
    c = load(KAGGLE_HUB_PORT="8123")
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8123"
    assert c.JupyterHub.proxy_class == "kaggle-traefik"
    assert c.KaggleTraefikProxy.traefik_api_url == "http://127.0.0.1:18123"
    assert c.JupyterHub.hub_ip == "127.0.0.1"
    assert c.JupyterHub.hub_port == 28123


def test_state_lives_in_a_private_data_dir_and_secrets_are_kept(load, tmp_path):
    c = load()
    data = tmp_path / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert c.JupyterHub.db_url == f"sqlite:///{data}/jupyterhub.sqlite"
    assert c.JupyterHub.cookie_secret_file == f"{data}/jupyterhub_cookie_secret"
    assert c.JupyterHub.pid_file == f"{data}/jupyterhub.pid"
    assert c.KaggleTraefikProxy.pid_file == f"{data}/jupyterhub-proxy.pid"
    token_file = data / "proxy_auth_token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    password = c.KaggleTraefikProxy.traefik_api_password
    assert len(password) == 64
    assert load().KaggleTraefikProxy.traefik_api_password == password


def test_login_is_native_with_admin_approval(load):
    c = load(KAGGLE_HUB_ADMINS="ann,bob")
    assert c.JupyterHub.authenticator_class == "kaggle-native"
    (entry,) = entry_points(group="jupyterhub.authenticators", name="kaggle-native")
    assert entry.load() is KaggleNativeAuthenticator
    native = c.KaggleNativeAuthenticator
    assert native.open_signup is False
    assert native.minimum_password_length >= 10
    assert native.check_common_password is True
    assert native.allowed_failed_logins == 5
    assert native.admin_users == {"ann", "bob"}
    assert (native.allow_all, native.allow_existing_users) == (False, True)


def test_auth_state_key_is_generated_once_and_private(load, tmp_path):
    key = load().CryptKeeper["keys"]
    key_file = tmp_path / "data/auth_state_crypt_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key) == 1 and len(key[0]) == 64
    assert load().CryptKeeper["keys"] == key


def test_admin_removed_from_the_setting_is_revoked_at_next_start(load):
    assert load(KAGGLE_HUB_ADMINS="ann,bob").KaggleNativeAuthenticator.revoked_admins == set()
    c = load(KAGGLE_HUB_ADMINS="ann")
    assert c.KaggleNativeAuthenticator.admin_users == {"ann"}
    assert c.KaggleNativeAuthenticator.revoked_admins == {"bob"}
    assert load(KAGGLE_HUB_ADMINS="ann").KaggleNativeAuthenticator.revoked_admins == set()


def test_github_login(load, tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("s3cret\n")
    c = load(
        KAGGLE_HUB_AUTH="github",
        KAGGLE_HUB_OAUTH_CLIENT_ID="cid",
        KAGGLE_HUB_OAUTH_CLIENT_SECRET_FILE=str(secret_file),
        KAGGLE_HUB_PUBLIC_URL="https://hub.example.org/",
    )
    assert c.JupyterHub.authenticator_class == "kaggle-github"
    gh = c.KaggleGitHubAuthenticator
    assert (gh.client_id, gh.client_secret) == ("cid", "s3cret")
    assert gh.oauth_callback_url == "https://hub.example.org/hub/oauth_callback"
    assert (gh.allow_all, gh.allow_existing_users, gh.bind_account_id) == (False, True, True)
    assert gh.enable_auth_state is True


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
    for cls in (KaggleSpawner, KaggleSwarmSpawner):
        spawner = spawner_for(cls, c)
        assert spawner.shm_size == "8g"
        assert spawner.mem_limit == 2**30


def test_swarm_settings_win_over_the_shared_ones_on_a_swarm(load, tmp_path):
    d = tmp_path / "config.d"
    d.mkdir()
    (d / "50-sizes.py").write_text(
        "c.KaggleSpawner.shm_size = '4g'\nc.KaggleSwarmSpawner.shm_size = '8g'\n"
    )
    c = load()
    assert spawner_for(KaggleSpawner, c).shm_size == "4g"
    assert spawner_for(KaggleSwarmSpawner, c).shm_size == "8g"


def test_env_file_next_to_the_config(load, tmp_path):
    env_file = tmp_path / "site.env"
    env_file.write_text("KAGGLE_HUB_NETWORK=from-env-file\n")
    c = load(KAGGLE_HUB_ENV_FILE=str(env_file))
    assert spawner_for(KaggleSpawner, c).network_name == "from-env-file"


def test_bad_setting_stops_the_hub_with_its_name(load):
    with pytest.raises(SystemExit, match="^Not started: KAGGLE_HUB_PORT='x' is not a port"):
        load(KAGGLE_HUB_PORT="x")


def test_a_hub_with_a_bad_setting_prints_one_line_and_no_traceback(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("KAGGLE_HUB_")},
        "KAGGLE_HUB_PORT": "x",
        "KAGGLE_HUB_DATA_DIR": str(tmp_path / "data"),
        "KAGGLE_HUB_ENV_FILE": str(tmp_path / "no.env"),
    }
    jupyterhub = Path(sys.executable).parent / "jupyterhub"
    done = subprocess.run(
        [jupyterhub, "-f", "jupyterhub_config.py"],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    printed = (done.stdout + done.stderr).strip()
    assert "Traceback" not in printed, printed
    assert printed.splitlines()[-1].startswith("Not started: KAGGLE_HUB_PORT='x' is not a port")
    assert not (tmp_path / "data").exists()


def test_reading_the_configuration_asks_docker_nothing_when_the_api_address_is_set(load):
    c = load(DOCKER_HOST="unix:///nonexistent/docker.sock", KAGGLE_HUB_DOCKER_WAIT_SECONDS="60")
    assert c.JupyterHub.hub_ip == "127.0.0.1"


def test_unreachable_oidc_issuer_stops_the_hub_with_a_message(load):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    with pytest.raises(
        SystemExit,
        match=f"^Not started: Cannot reach the OpenID Connect issuer at http://127.0.0.1:{closed}/",
    ):
        load(
            KAGGLE_HUB_AUTH="oidc",
            KAGGLE_HUB_OIDC_ISSUER=f"http://127.0.0.1:{closed}",
            KAGGLE_HUB_OAUTH_CLIENT_ID="hub",
            KAGGLE_HUB_OAUTH_CLIENT_SECRET="s",
        )


def test_spawn_limit_and_servers_outlive_a_hub_restart(load):
    c = load()
    assert c.JupyterHub.concurrent_spawn_limit == 20
    assert c.JupyterHub.cleanup_servers is False
    assert load(KAGGLE_HUB_CONCURRENT_SPAWNS="4").JupyterHub.concurrent_spawn_limit == 4
