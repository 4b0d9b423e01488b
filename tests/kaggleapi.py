"""A small stand-in of Kaggle's public API (v1) on 127.0.0.1, for ``kaggle-hub datasets
add``: competition files and dataset versions as zip archives, basic auth, ranges for
resuming, and a download cut off midway on demand."""

import base64
import io
import json
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

USERNAME, KEY = "team-admin", "0123456789abcdef"


def zipped(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in sorted(files.items()):
            z.writestr(name, data)
    return buffer.getvalue()


class KaggleAPI:
    def __init__(self, competitions, datasets):
        """``competitions``: {slug: {file: bytes}}; ``datasets``: {(owner, slug):
        {version: {file: bytes}}}."""
        self.competitions = {slug: zipped(files) for slug, files in competitions.items()}
        self.datasets = {
            key: {v: zipped(files) for v, files in versions.items()}
            for key, versions in datasets.items()
        }
        self.requests = []  # (path, Range header or None)
        self.cut_after = None  # bytes sent before the next download is cut off
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/v1"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def archive(self, path, query):
        parts = path.strip("/").split("/")[2:]
        if parts[:3] == ["competitions", "data", "download-all"] and len(parts) == 4:
            return self.competitions.get(parts[3])
        if parts[:2] == ["datasets", "download"] and len(parts) == 4:
            versions = self.datasets.get((parts[2], parts[3]), {})
            wanted = query.get("datasetVersionNumber", [None])[0]
            return versions.get(int(wanted) if wanted else max(versions, default=0))
        return None

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def send_json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                api.requests.append((url.path, self.headers.get("Range")))
                expected = base64.b64encode(f"{USERNAME}:{KEY}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {expected}":
                    self.send_json(401, {"code": 401, "message": "Unauthenticated"})
                    return
                parts = url.path.strip("/").split("/")[2:]
                if parts[:2] == ["datasets", "view"] and len(parts) == 4:
                    versions = api.datasets.get((parts[2], parts[3]))
                    if not versions:
                        self.send_json(404, {"code": 404, "message": "Not found"})
                    else:
                        self.send_json(200, {"currentVersionNumber": max(versions)})
                    return
                data = api.archive(url.path, parse_qs(url.query))
                if data is None:
                    self.send_json(404, {"code": 404, "message": "Not found"})
                    return
                start = 0
                ranged = self.headers.get("Range", "")
                if ranged.startswith("bytes="):
                    start = int(ranged[len("bytes=") :].split("-")[0])
                    if start >= len(data):
                        self.send_response(416)
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                self.send_header("Content-Length", str(len(data) - start))
                self.end_headers()
                body = data[start:]
                if api.cut_after is not None:
                    body, api.cut_after = body[: api.cut_after], None
                    self.wfile.write(body)
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        return Handler
