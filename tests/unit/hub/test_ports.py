import socket

from spawner.hub import ports


def test_busy_addresses_are_the_ones_another_program_listens_on():
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert ports.busy_addresses([f"127.0.0.1:{port}"]) == [f"127.0.0.1:{port}"]
    with socket.create_server(("127.0.0.1", 0)) as other:
        free = other.getsockname()[1]
    assert ports.busy_addresses([f"127.0.0.1:{free}"]) == []


def test_the_busy_message_names_the_ports_and_how_to_find_the_program():
    message = ports.busy_message(["0.0.0.0:80", "127.0.0.1:18000"])
    assert message.startswith("The proxy cannot listen on 0.0.0.0:80, 127.0.0.1:18000")
    assert "ss -ltnp 'sport = :80'" in message
