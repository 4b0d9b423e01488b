"""Run while the image is built: jupyter lab starts with the upgraded server, answers, and
every server extension the image enables loads. The build fails, with the server's own
lines, when one does not."""

import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

START_SECONDS = 120


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def main():
    port = free_port()
    with tempfile.TemporaryDirectory() as root, tempfile.TemporaryFile("w+") as log:
        server = subprocess.Popen(
            [
                "jupyter",
                "lab",
                "--allow-root",
                "--no-browser",
                "--ServerApp.ip=127.0.0.1",
                f"--ServerApp.port={port}",
                "--IdentityProvider.token=",
                f"--ServerApp.root_dir={root}",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + START_SECONDS
        up = False
        while time.monotonic() < deadline and server.poll() is None:
            if answers(f"http://127.0.0.1:{port}/api/status") and answers(
                f"http://127.0.0.1:{port}/lab"
            ):
                up = True
                break
            time.sleep(0.5)
        server.terminate()
        server.wait(30)
        log.seek(0)
        lines = log.read().splitlines()
    failed = [
        line
        for line in lines
        if line.startswith(("[W", "[E"))
        and "extension" in line
        and ("error" in line or "fail" in line.lower())
    ]
    if not up or failed:
        print("\n".join(lines[-40:]), file=sys.stderr)
        sys.exit(
            f"jupyter lab {'did not answer' if not up else 'started, but an extension failed'}"
        )
    print(
        f"jupyter lab answers; {sum('successfully loaded' in line for line in lines)} "
        "server extensions loaded"
    )


if __name__ == "__main__":
    main()
