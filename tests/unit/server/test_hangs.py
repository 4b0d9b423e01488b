"""Noticing a server that stopped answering: a real socket that takes the connection and
never answers, as a frozen container's does."""

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from spawner.server import hangs

from ...loops import run


@pytest.fixture
def silent_url():
    """A URL whose server takes connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/user/ann/"


def spawner_at(url):
    return SimpleNamespace(
        user=SimpleNamespace(name="ann"),
        name="",
        ready=True,
        server=SimpleNamespace(url=url),
        _log_name="ann",
    )


def test_a_server_silent_for_two_probes_is_reported_until_it_stops(silent_url):
    watch = hangs.HangWatch(timeout_seconds=0.2)
    spawner = spawner_at(silent_url)
    run(watch.probe(spawner))
    assert watch.hung() == []  # one missed probe may be a busy moment
    run(watch.probe(spawner))
    ((user, server, seconds),) = watch.hung()
    assert (user, server) == ("ann", "")
    assert seconds >= 0.2
    watch.forget(spawner)
    assert watch.hung() == []


class Failing(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_error(500)

    def log_message(self, *args):
        pass


def test_an_error_page_is_an_answer_and_a_stopped_server_is_not_judged(silent_url):
    watch = hangs.HangWatch(timeout_seconds=0.2)
    with ThreadingHTTPServer(("127.0.0.1", 0), Failing) as failing:
        threading.Thread(target=failing.serve_forever, daemon=True).start()
        answering = spawner_at(f"http://127.0.0.1:{failing.server_address[1]}/user/ann/")
        for _ in range(2):
            run(watch.probe(answering))
        failing.shutdown()
    assert watch.hung() == []
    refused = spawner_at("http://127.0.0.1:1/user/ann/")
    for _ in range(2):
        run(watch.probe(refused))
    assert [h[0] for h in watch.hung()] == ["ann"]  # nothing listening: no answer either
    stopped = spawner_at(silent_url)
    stopped.ready = False
    watch.forget(refused)
    for _ in range(2):
        run(watch.probe(stopped))
    assert watch.hung() == []
