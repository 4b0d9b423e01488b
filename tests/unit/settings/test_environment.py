"""Typed values from environment variables and the .env file."""

import pytest

from spawner.settings import environment
from spawner.settings.environment import SettingsError


def test_env_file_is_read_and_the_environment_wins(tmp_path):
    (tmp_path / ".env").write_text("KAGGLE_HUB_PORT=8200\nKAGGLE_HUB_PREFIX=fromfile\n")
    merged = environment.read_environment({"KAGGLE_HUB_PORT": "8300"}, config_dir=tmp_path)
    assert merged["KAGGLE_HUB_PORT"] == "8300"
    assert merged["KAGGLE_HUB_PREFIX"] == "fromfile"


def test_size_keeps_dockers_notation_and_names_a_bad_value():
    assert environment.size({}, "KAGGLE_HUB_SHM_SIZE", "2g") == "2g"
    assert environment.size({"KAGGLE_HUB_SHM_SIZE": " 8g "}, "KAGGLE_HUB_SHM_SIZE", "2g") == "8g"
    with pytest.raises(SettingsError, match="KAGGLE_HUB_SHM_SIZE='lots' is not a size"):
        environment.size({"KAGGLE_HUB_SHM_SIZE": "lots"}, "KAGGLE_HUB_SHM_SIZE", "2g")
