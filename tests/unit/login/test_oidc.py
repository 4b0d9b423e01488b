"""OpenID Connect discovery against a real HTTP server on 127.0.0.1."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from spawner.errors import SetupError
from spawner.login import oidc


@pytest.fixture
def serve():
    """Serve ``body(issuer)`` at the discovery path of a new local server; return its issuer."""
    servers = []

    def serve(body, status=200):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                found = self.path == oidc.WELL_KNOWN
                self.send_response(status if found else 404)
                self.end_headers()
                self.wfile.write(body(issuer).encode())

            def log_message(self, *args):
                pass

        server = HTTPServer(("127.0.0.1", 0), Handler)
        issuer = f"http://127.0.0.1:{server.server_port}"
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return issuer

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def document(issuer, **overrides):
    doc = {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/auth",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/me",
        "jwks_uri": f"{issuer}/jwks",
    }
    doc.update(overrides)
    return doc


def test_endpoints_are_read_from_the_issuer(serve):
    issuer = serve(lambda issuer: json.dumps(document(issuer)))
    assert oidc.discover(issuer + "/") == {
        "authorize_url": f"{issuer}/auth",
        "token_url": f"{issuer}/token",
        "userdata_url": f"{issuer}/me",
    }


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_issuer():
    issuer = f"http://127.0.0.1:{closed_port()}"
    with pytest.raises(SetupError, match=r"Cannot reach the OpenID Connect issuer at .*refused"):
        oidc.discover(issuer, timeout=5)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (lambda issuer: "<html>login</html>", 200, "is not JSON"),
        (lambda issuer: "[]", 200, "is not a JSON object"),
        (lambda issuer: "{}", 404, "answered 404"),
        (lambda issuer: json.dumps(document("https://other")), 200, "names issuer 'https://other'"),
        (
            lambda issuer: json.dumps(document(issuer, token_endpoint=None)),
            200,
            "no usable 'token_endpoint'",
        ),
        (
            lambda issuer: json.dumps(document(issuer, authorization_endpoint="javascript:x")),
            200,
            "no usable 'authorization_endpoint'",
        ),
        (
            lambda issuer: json.dumps(document(issuer, token_endpoint="http://idp.example/t")),
            200,
            "gives 'token_endpoint' as 'http://idp.example/t', plain http://",
        ),
    ],
)
def test_malformed_documents_are_named(serve, body, status, message):
    issuer = serve(body, status)
    with pytest.raises(SetupError, match=message):
        oidc.discover(issuer)
