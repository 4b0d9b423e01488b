"""Typed values from environment variables and the .env file."""

import pytest

from spawner.settings import environment
from spawner.settings.environment import SettingsError


def test_env_file_is_read_and_the_environment_wins(tmp_path):
    (tmp_path / ".env").write_text("KAGGLE_HUB_PORT=8200\nKAGGLE_HUB_PREFIX=fromfile\n")
    merged = environment.read_environment({"KAGGLE_HUB_PORT": "8300"}, config_dir=tmp_path)
    assert merged["KAGGLE_HUB_PORT"] == "8300"
    assert merged["KAGGLE_HUB_PREFIX"] == "fromfile"


def test_an_env_file_holding_the_client_secret_is_read_only_when_owner_only(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("KAGGLE_HUB_AUTH=github\nKAGGLE_HUB_OAUTH_CLIENT_SECRET=s3cret\n")
    env_file.chmod(0o644)
    with pytest.raises(SettingsError) as refused:
        environment.read_environment({}, config_dir=tmp_path)
    assert str(refused.value) == (
        f"{env_file} holds KAGGLE_HUB_OAUTH_CLIENT_SECRET and other users of this machine can "
        f"read it (mode 644): make it owner-only with 'chmod 600 {env_file}', or give the "
        "secret in a file of its own (KAGGLE_HUB_OAUTH_CLIENT_SECRET_FILE, e.g. a swarm secret)."
    )
    assert "s3cret" not in str(refused.value)
    env_file.chmod(0o600)
    merged = environment.read_environment({}, config_dir=tmp_path)
    assert merged["KAGGLE_HUB_OAUTH_CLIENT_SECRET"] == "s3cret"


def test_an_env_file_without_a_secret_may_be_readable(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("KAGGLE_HUB_AUTH=github\nKAGGLE_HUB_OAUTH_CLIENT_SECRET=\n")
    env_file.chmod(0o644)
    assert environment.read_environment({}, config_dir=tmp_path)["KAGGLE_HUB_AUTH"] == "github"


def test_size_keeps_dockers_notation_and_names_a_bad_value():
    assert environment.size({}, "KAGGLE_HUB_SHM_SIZE") == "2g"
    assert environment.size({"KAGGLE_HUB_SHM_SIZE": " 8g "}, "KAGGLE_HUB_SHM_SIZE") == "8g"
    with pytest.raises(SettingsError, match="KAGGLE_HUB_SHM_SIZE='lots' is not a size"):
        environment.size({"KAGGLE_HUB_SHM_SIZE": "lots"}, "KAGGLE_HUB_SHM_SIZE")
