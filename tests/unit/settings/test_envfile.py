"""The .env file the deploy commands write: read back by the hub exactly as written (no
``${VAR}`` expansion)."""

import stat

from spawner.settings import envfile
from spawner.settings.environment import read_environment


def test_values_read_back_as_written_and_a_key_is_replaced_in_place(tmp_path):
    path = tmp_path / ".env"
    path.write_text("KAGGLE_HUB_PORT=8000\n# a comment\nKAGGLE_HUB_IMAGE=old\n")
    odd = {
        "KAGGLE_HUB_IMAGE": "registry.lan:5000/kaggle/python:v1",
        "KAGGLE_HUB_TEAM_NAME": 'Ann\'s \\ team "A" ${HOME} Zoë',
        "KAGGLE_HUB_OAUTH_CLIENT_SECRET": "a|b&c\nd",
    }
    envfile.set_values(path, odd)
    assert read_environment({"KAGGLE_HUB_ENV_FILE": str(path)}) == {
        "KAGGLE_HUB_ENV_FILE": str(path),
        "KAGGLE_HUB_PORT": "8000",
        **odd,
    }
    assert path.read_text().count("KAGGLE_HUB_IMAGE=") == 1
    assert "# a comment" in path.read_text()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_only_the_hubs_settings_are_carried_to_the_service():
    environ = {
        "KAGGLE_HUB_ADMINS": "ann",
        "KAGGLE_HUB_ENV_FILE": "/tmp/x.env",
        "KAGGLE_HUB_TEST_IMAGE": "lite",
        "HOME": "/root",
    }
    assert envfile.carried(environ) == {"KAGGLE_HUB_ADMINS": "ann"}
