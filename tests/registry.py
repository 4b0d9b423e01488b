"""Debian's docker-registry on 127.0.0.1, holding images the tests push to it."""

import io
import os
import socket
import subprocess
import tarfile
import threading
from pathlib import Path

import requests

from .hubprocess import free_port, terminate
from .waiting import wait_for

CONFIG = """version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: {root}
http:
  addr: 127.0.0.1:{port}
"""


class Registry:
    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.config = self.workdir / "registry.yml"
        self.config.write_text(CONFIG.format(root=self.workdir / "storage", port=self.port))
        self.log_path = self.workdir / "registry.log"
        self.process = None

    def start(self):
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            ["docker-registry", "serve", str(self.config)],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        wait_for(self._answers, 30, what=f"registry on {self.host}")
        return self

    def _answers(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"docker-registry exited: {self.log_path.read_text()}")
        return requests.get(f"http://{self.host}/v2/", timeout=2).status_code == 200

    def stop(self):
        if self.process:
            terminate(self.process, grace=10)
            self._log.close()


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
