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


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_a_daemon_that_never_answers_is_waited_for_then_named(tmp_path, caplog):
    kwargs = engine.client_kwargs({"base_url": f"unix://{tmp_path / 'nothing.sock'}"}, environ={})
    clock = Clock()
    with pytest.raises(DockerUnreachable, match="Cannot reach the Docker daemon"):
        engine.wait_until_answering(kwargs, 25, clock=clock, sleep=clock.sleep)
    assert 25 <= clock.now < 26
    waits = [r.getMessage() for r in caplog.records if "is not answering" in r.getMessage()]
    # One line when the wait begins, then one every WAIT_LOG_SECONDS: never one per try.
    assert len(waits) == 3, waits
    assert "waiting up to 25 s more" in waits[0]
