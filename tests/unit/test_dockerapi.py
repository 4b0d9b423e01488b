import pytest

from spawner import dockerapi
from spawner.errors import DockerUnreachable


def test_unreachable_daemon_names_the_socket(tmp_path):
    socket = tmp_path / "nothing.sock"
    with pytest.raises(DockerUnreachable) as e:
        dockerapi.connect(dockerapi.client_kwargs({"base_url": f"unix://{socket}"}, environ={}))
    message = str(e.value)
    assert f"Cannot reach the Docker daemon at unix://{socket}" in message
    assert "no such file or directory" in message
    assert "DOCKER_HOST" in message
    assert e.value.jupyterhub_message == message


def test_client_kwargs_follow_docker_host():
    kwargs = dockerapi.client_kwargs(environ={"DOCKER_HOST": "unix:///run/other.sock"})
    assert dockerapi.describe(kwargs) == "unix:///run/other.sock"
    assert dockerapi.describe(dockerapi.client_kwargs(environ={})) == dockerapi.DEFAULT_SOCKET
