"""KaggleSpawner's settings and names, without a Docker daemon."""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from traitlets.config import Config

from spawner import KaggleSpawner
from spawner.server import standby


def make(user="alice", server="", **settings):
    config = Config({"KaggleSpawner": settings})
    user = SimpleNamespace(name=user, id=1, url=f"/user/{user}/", server=None)
    return KaggleSpawner(
        user=user, orm_spawner=SimpleNamespace(name=server, server=None, state=None), config=config
    )


def test_defaults_fit_the_kaggle_image():
    s = make()
    assert s.cmd == ["jupyterhub-singleuser"]
    assert s.remove is True
    assert s.use_internal_ip is True
    assert s.notebook_dir == "/tmp/working"
    assert s.default_url == "/lab"
    assert s.shm_size == "2g"
    assert s.check_jupyterhub_version is True


@pytest.mark.parametrize(
    "user, server, container, volume",
    [
        ("alice", "", "kaggle-alice", "kaggle-alice-work"),
        ("alice", "gpu", "kaggle-alice--gpu", "kaggle-alice--gpu-work"),
        ("Ann.B", "", "kaggle-_41nn_2e_42", "kaggle-_41nn_2e_42-work"),
    ],
)
def test_names(user, server, container, volume):
    s = make(user, server)
    assert s.object_name == container
    assert s.volume_name == volume
    assert s.volume_binds[volume] == {"bind": "/tmp/working", "mode": "rw"}


def test_configured_volumes_are_kept_beside_the_work_volume():
    s = make(volumes={"/srv/shared": {"bind": "/srv/shared", "mode": "ro"}})
    assert set(s.volume_binds) == {"/srv/shared", "kaggle-alice-work", "kaggle-team"}


def test_the_team_folder_is_read_only_for_members_of_its_group():
    s = make(team_read_only_group="guests")
    s.user.groups = [SimpleNamespace(name="analysts")]
    assert s.volume_binds["kaggle-team"] == {"bind": "/tmp/working/team", "mode": "rw"}
    s.user.groups.append(SimpleNamespace(name="guests"))
    assert s.volume_binds["kaggle-team"] == {"bind": "/tmp/working/team", "mode": "ro"}
    assert "kaggle-team" not in make(team_folder="").volume_binds


def test_prefix_is_validated_with_the_setting_name():
    with pytest.raises(ValueError, match="c.KaggleSpawner.name_prefix: Name prefix 'a b'"):
        make(name_prefix="a b")


def test_auth_cache_of_zero_is_refused():
    assert make().auth_cache_seconds == 1
    with pytest.raises(ValueError, match="auth_cache_seconds = 0: use 1 or more"):
        make(auth_cache_seconds=0)


def test_shm_size_is_validated_with_the_setting_name():
    assert make(shm_size="8g").shm_size == "8g"
    with pytest.raises(ValueError, match="c.KaggleSpawner.shm_size = 'lots' is not a size"):
        make(shm_size="lots")


def test_no_standby_is_prepared_for_a_server_whose_own_start_began():
    s = make()
    s.user.spawners = {}
    assert not s._own_start_began()
    s.user.spawners = {"": SimpleNamespace(pending=None, active=False)}
    assert not s._own_start_began()
    s.user.spawners = {"": SimpleNamespace(pending="spawn", active=True)}
    assert s._own_start_began()


def test_a_start_waits_for_its_standby_being_made_before_it_checks_the_volume(monkeypatch):
    s = make()
    # A client that is never called (the first check stops the start): no engine is asked.
    monkeypatch.setattr(KaggleSpawner, "_client", SimpleNamespace())
    checked = []

    async def first_check(func, *args):
        checked.append(made.done())
        raise RuntimeError("stop here")

    async def scenario():
        nonlocal made
        made = asyncio.get_running_loop().create_future()
        s._standbys_making[standby.name(s.object_name)] = made
        asyncio.get_running_loop().call_later(0.05, made.set_result, True)
        s._in_executor = first_check
        with pytest.raises(RuntimeError, match="stop here"):
            await s.start_server()

    made = None
    # A thread of its own: the e2e tier's browser driver may run a loop in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result()
    assert checked == [True]
