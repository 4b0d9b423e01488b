"""Debian's docker-registry on 127.0.0.1, holding images the tests push to it."""

import io
import os
import socket
import tarfile
import threading
from pathlib import Path

from .hubprocess import free_port
from .processes import LoggedProcess

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
    """A registry keeping its images in ``storage`` (by default a folder in ``workdir``)."""

    def __init__(self, workdir, storage=None):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.config = self.workdir / "registry.yml"
        root = storage or self.workdir / "storage"
        self.config.write_text(CONFIG.format(root=root, port=self.port))
        super().__init__("docker-registry", self.workdir / "registry.log")

    def start(self):
        return self.launch(
            ["docker-registry", "serve", str(self.config)], ready_url=f"http://{self.host}/v2/"
        )


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
