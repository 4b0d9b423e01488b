import pytest

from spawner import engine
from spawner.errors import DockerUnreachable


def test_unreachable_daemon_names_the_socket(tmp_path):
    socket = tmp_path / "nothing.sock"
    with pytest.raises(DockerUnreachable) as e:
        engine.connect(engine.client_kwargs({"base_url": f"unix://{socket}"}, environ={}))
    message = str(e.value)
    assert f"Cannot reach the Docker daemon at unix://{socket}" in message
    assert "no such file or directory" in message
    assert "DOCKER_HOST" in message
    assert e.value.jupyterhub_message == message


def test_client_kwargs_follow_docker_host():
    kwargs = engine.client_kwargs(environ={"DOCKER_HOST": "unix:///run/other.sock"})
    assert engine.describe(kwargs) == "unix:///run/other.sock"
    assert engine.describe(engine.client_kwargs(environ={})) == engine.DEFAULT_SOCKET
