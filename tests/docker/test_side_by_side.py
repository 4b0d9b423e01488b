"""Two hubs with their own port, data dir, network and prefix run at once on one machine."""

import pytest

from ..hubprocess import UserServer

pytestmark = pytest.mark.docker


def test_two_hubs_serve_same_named_users_apart(make_hub, docker_client):
    first, second = make_hub(), make_hub()
    servers = []
    for hub, text in ((first, "first\n"), (second, "second\n")):
        sam = UserServer(hub, "sam", hub.create_user("sam"))
        hub.start_server("sam")
        sam.put_text("code/which.txt", text)
        servers.append(sam)

    assert [s.read_text("code/which.txt") for s in servers] == ["first\n", "second\n"]
    for hub in (first, second):
        info = docker_client.inspect_container(f"{hub.prefix}-sam")
        assert list(info["NetworkSettings"]["Networks"]) == [hub.network]
        work = [m["Name"] for m in info["Mounts"] if m["Destination"] == "/tmp/working"]
        assert work == [f"{hub.prefix}-sam-work"]
    assert first.env["KAGGLE_HUB_DATA_DIR"] != second.env["KAGGLE_HUB_DATA_DIR"]
