"""The scheduled backups' settings: off unless a folder is named, times of day checked."""

from datetime import time

import pytest

from spawner.settings.backups import BackupSettings, from_env
from spawner.settings.environment import SettingsError
from spawner.settings.hub import from_env as hub_settings


def test_off_by_default_at_three_keeping_seven():
    found = from_env({})
    assert found == BackupSettings()
    assert not found.scheduled
    assert (found.at, found.keep) == ((time(3, 0),), 7)


def test_a_folder_several_times_and_a_count():
    found = from_env(
        {
            "KAGGLE_HUB_BACKUP_DIR": "/mnt/backup/hub",
            "KAGGLE_HUB_BACKUP_AT": "13:30, 3:00,03:00, 23:59:30",
            "KAGGLE_HUB_BACKUP_KEEP": "14",
        }
    )
    assert found.scheduled
    assert found.at == (time(3, 0), time(13, 30), time(23, 59, 30))
    assert found.keep == 14


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"KAGGLE_HUB_BACKUP_AT": "24:00"}, "'24:00' is not a time of day"),
        ({"KAGGLE_HUB_BACKUP_AT": "3am"}, "'3am' is not a time of day"),
        ({"KAGGLE_HUB_BACKUP_AT": "03:00,"}, "'' is not a time of day"),
        ({"KAGGLE_HUB_BACKUP_KEEP": "0"}, "KAGGLE_HUB_BACKUP_KEEP must be 1 or more"),
        ({"KAGGLE_HUB_BACKUP_KEEP": "-1"}, "KAGGLE_HUB_BACKUP_KEEP='-1' is not a count"),
    ],
)
def test_a_bad_value_is_named(env, named):
    with pytest.raises(SettingsError, match=named):
        from_env(env)


def test_scheduled_backups_are_refused_on_a_swarm():
    env = {"KAGGLE_HUB_ENGINE": "swarm", "KAGGLE_HUB_BACKUP_DIR": "/mnt/backup"}
    with pytest.raises(SettingsError, match="scheduled backups cover one machine's volumes"):
        hub_settings(env, config_dir="/nonexistent", euid=1000, home="/home/ann")
