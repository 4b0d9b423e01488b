"""A standby's arguments (those of the server's own container, less the start's token), and
which stopped servers get one at the hub's start."""

import datetime
import json

import pytest
from jupyterhub import orm
from jupyterhub.orm import new_session_factory

from spawner.server import container, naming, orphans, standby, standby_start

TOKEN = "0123456789abcdef0123456789abcdef"


def create_kwargs(token=TOKEN, mem_limit=1024**3):
    return {
        "image": "kaggle-team-hub:lite",
        "name": "kth-ann",
        "environment": {
            "JUPYTERHUB_API_TOKEN": token,
            "JPY_API_TOKEN": token,
            "KAGGLE_USER_SECRETS_TOKEN": token,
            "JUPYTERHUB_USER": "ann",
        },
        "command": container.command(["jupyterhub-singleuser"], ["--x=1"]),
        "labels": container.labels("kth", "kth-ann"),
        "host_config": {"Memory": mem_limit, "Binds": ["kth-ann-work:/tmp/working:rw"]},
    }


def test_a_standby_is_the_servers_container_without_the_token_waiting_under_its_own_name():
    kwargs, digest = standby.arguments(create_kwargs(), TOKEN)
    assert kwargs["name"] == "kth-ann-standby"
    assert kwargs["environment"] == {"JUPYTERHUB_USER": "ann"}
    assert kwargs["labels"][standby.LABEL] == digest
    assert kwargs["host_config"] == create_kwargs()["host_config"]
    command = kwargs["command"]
    at = command.index(container.STARTUP_NAME) + 1
    assert command[:at] == create_kwargs()["command"][:at]
    assert command[at : at + 5] == [
        "/bin/sh",
        "-c",
        container.LAUNCHER,
        container.LAUNCHER_NAME,
        container.IN_SERVER,
    ]
    assert command[at + 5 :] == ["standby", "jupyterhub-singleuser", "--allow-root", "--x=1"]


def test_a_standby_of_an_admins_own_command_runs_the_in_server_program_in_front_of_it():
    kwargs = create_kwargs()
    kwargs["command"] = container.command(["tini", "--", "jupyterhub-singleuser"], [])
    command = standby.arguments(kwargs, TOKEN)[0]["command"]
    at = command.index(container.STARTUP_NAME) + 1
    assert command[at:] == [
        *container.launched("standby", ["tini", "--", "jupyterhub-singleuser"]),
        "--allow-root",
    ]


def test_the_digest_holds_across_starts_and_changes_with_anything_but_the_token():
    _, first = standby.arguments(create_kwargs(), TOKEN)
    _, next_start = standby.arguments(create_kwargs("f" * 32), "f" * 32)
    _, other_limit = standby.arguments(create_kwargs(mem_limit=2 * 1024**3), TOKEN)
    assert first == next_start
    assert other_limit != first


def test_a_woken_standby_is_handed_exactly_the_entries_that_carry_the_token():
    values = json.loads(standby.wake_values(create_kwargs()["environment"], TOKEN))
    assert values == {
        "env": {
            "JUPYTERHUB_API_TOKEN": TOKEN,
            "JPY_API_TOKEN": TOKEN,
            "KAGGLE_USER_SECRETS_TOKEN": TOKEN,
        }
    }


def test_a_command_a_drop_in_replaced_gets_no_standby():
    kwargs = {**create_kwargs(), "command": ["jupyterhub-singleuser"]}
    with pytest.raises(ValueError, match="command was replaced"):
        standby.arguments(kwargs, TOKEN)


def summary(name, labels):
    return {"Names": [f"/{name}"], "Labels": labels, "Created": 100}


def test_a_standby_is_no_orphan_but_a_woken_one_is_a_server():
    labels = {**container.labels("kth", naming.server_base_name("kth", "ann")), standby.LABEL: "d"}
    waiting = summary("kth-ann-standby", labels)
    woken = summary("kth-ann", labels)
    assert standby.is_standby(waiting) and not standby.is_standby(woken)
    assert orphans.orphans([waiting, woken], "kth", set(), 200) == ["kth-ann"]


def test_by_default_standbys_may_take_a_quarter_of_the_memory_available(tmp_path):
    meminfo = tmp_path / "meminfo"
    meminfo.write_text("MemTotal:       25165824 kB\nMemFree: 1 kB\nMemAvailable:   16777216 kB\n")
    total, available = standby.memory(meminfo)
    assert (total, available) == (24 * 1024**3, 16 * 1024**3)
    assert standby.default_most(available) == 16
    assert not standby.under_pressure(total, available)
    assert standby.under_pressure(total, 2 * 1024**3)


def test_the_servers_to_prepare_at_the_hubs_start_are_the_stopped_ones_used_recently():
    db = new_session_factory("sqlite://")()
    now = datetime.datetime(2026, 12, 7, 9, 0)
    used = {
        "ann": now - datetime.timedelta(hours=1),
        "ben": now - datetime.timedelta(hours=9),
        "cat": now - datetime.timedelta(hours=11),
        "dan": None,
        "eve": now - datetime.timedelta(minutes=5),
    }
    for name, last_activity in used.items():
        user = orm.User(name=name)
        db.add(user)
        db.add(orm.Spawner(name="", user=user, last_activity=last_activity))
    running = db.query(orm.Spawner).join(orm.User).filter(orm.User.name == "eve").one()
    running.server = orm.Server(base_url="/user/eve/")
    db.commit()

    found = standby_start.recently_used(db, 10, now)
    assert [s.user.name for s in found] == ["ann", "ben"]
