"""Debian's docker-registry on 127.0.0.1, holding images the tests push to it."""

import io
import os
import shutil
import socket
import tarfile
import threading
from pathlib import Path

import requests

from .hubprocess import free_port
from .processes import LoggedProcess

MANIFEST_TYPES = ", ".join(
    [
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    ]
)
CONFIG = """version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: {root}
http:
  addr: 127.0.0.1:{port}
"""


class Registry(LoggedProcess):
    """A registry keeping its images in ``storage`` (default: in ``workdir``)."""

    def __init__(self, workdir, storage=None):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.config = self.workdir / "registry.yml"
        storage = storage or self.workdir / "storage"
        self.config.write_text(CONFIG.format(root=storage, port=self.port))
        super().__init__("docker-registry", self.workdir / "registry.log")

    def start(self):
        return self.launch(
            ["docker-registry", "serve", str(self.config)], ready_url=f"http://{self.host}/v2/"
        )

    def has(self, repository, tag):
        """Whether the registry holds ``repository:tag``."""
        r = requests.head(
            f"http://{self.host}/v2/{repository}/manifests/{tag}",
            headers={"Accept": MANIFEST_TYPES},
            timeout=10,
        )
        return r.status_code == 200


def cached_storage(image_id):
    """A registry storage folder for copies of image ``image_id``, kept between runs in the
    project's cache (pushing the lite image takes over a minute); older ones are removed."""
    root = Path(os.environ.get("KAGGLE_HUB_CACHE_DIR") or "/var/cache/kaggle-team-hub")
    name = f"test-registry-{image_id.removeprefix('sha256:')[:16]}"
    for old in root.glob("test-registry-*"):
        if old.name != name:
            shutil.rmtree(old, ignore_errors=True)
    (root / name).mkdir(parents=True, exist_ok=True)
    return root / name


def import_image(client, tag, megabytes):
    """Import a small image of ``megabytes`` of random data (so a pull shows progress)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        data = os.urandom(megabytes * 1024 * 1024)
        info = tarfile.TarInfo("payload.bin")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    client.import_image_from_data(buffer.getvalue(), repository=tag)
    return tag


class SilentRegistry:
    """A TCP server on 127.0.0.1 that accepts connections and never answers: a registry
    that hangs. Connections are held open until ``stop``."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.host = f"127.0.0.1:{self.server.getsockname()[1]}"
        self.held = []
        self.thread = threading.Thread(target=self._accept, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def _accept(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.held.append(connection)

    def stop(self):
        self.server.close()
        for connection in self.held:
            connection.close()
