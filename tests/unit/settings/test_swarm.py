"""The engine setting and the swarm's own."""

import pytest

from spawner.settings.environment import SettingsError
from spawner.settings.swarm import SwarmSettings, from_env


def test_defaults_are_one_machine():
    assert from_env({}) == SwarmSettings()
    assert not from_env({}).on_swarm


def test_a_swarm_with_nfs_volumes():
    found = from_env(
        {
            "KAGGLE_HUB_ENGINE": "swarm",
            "KAGGLE_HUB_SWARM_NFS": "nfs.lan:/srv/kaggle-volumes/",
            "KAGGLE_HUB_SWARM_SCHEDULE_SECONDS": "90",
        }
    )
    assert found.on_swarm
    assert (found.nfs_host, found.nfs_path, found.schedule_seconds) == (
        "nfs.lan",
        "/srv/kaggle-volumes",
        90,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"KAGGLE_HUB_ENGINE": "k8s"}, "KAGGLE_HUB_ENGINE"),
        ({"KAGGLE_HUB_SWARM_NFS": "nfs.lan"}, "use HOST:/EXPORT"),
        ({"KAGGLE_HUB_SWARM_SCHEDULE_SECONDS": "0"}, "1 or more seconds"),
    ],
)
def test_bad_values_are_named(env, message):
    with pytest.raises(SettingsError, match=message):
        from_env(env)
