"""A real `jupyterhub -f jupyterhub_config.py` process, driven over its REST API."""

import functools
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from spawner.settings.environment import REPO_DIR

from . import kernel
from .lanes import PORTS
from .processes import LoggedProcess
from .waiting import wait_for

SERVICE_DROPIN = """
c.JupyterHub.services.append({{"name": "tester", "api_token": {token!r}}})
c.JupyterHub.load_roles.append({{
    "name": "tester",
    "scopes": ["admin:users", "admin:servers", "admin:groups", "tokens", "access:servers"],
    "services": ["tester"],
}})
"""

# A drop-in: the REST start answers at once (202) and the start is followed on its progress
# stream, as the spawn page follows it. JupyterHub otherwise waits up to 10 s for the start
# to finish, and a stream read after that holds only the last event: a pull or a failure
# within those seconds (a loaded machine's failure with its cleanup still running was
# answered 201) left nothing to read.
ANSWER_AT_ONCE = {
    "50-answer-at-once.py": "c.JupyterHub.tornado_settings['slow_spawn_timeout'] = 0\n"
}


KAGGLE_HUB = Path(sys.executable).parent / "kaggle-hub"
# What JupyterHub logs once it has started (and handles SIGTERM).
RUNNING = "JupyterHub is now running at"


def kaggle_hub(env, *args, cwd=None, stdin=subprocess.DEVNULL):
    """Run the installed ``kaggle-hub`` command with the settings in ``env``."""
    return subprocess.run(
        [str(KAGGLE_HUB), *args],
        env=env,
        cwd=cwd,
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )


def volume_status(env, volume):
    """The STATUS column of ``volume``'s row in ``kaggle-hub volumes``."""
    listing = kaggle_hub(env, "volumes")
    assert listing.returncode == 0, listing.stderr
    header, *rows = listing.stdout.splitlines()
    (row,) = [line for line in rows if line.split()[0] == volume]
    return row[header.index("STATUS") :].strip()


_HANDED_OUT = set()
# Each worker of a run (gw0, gw1, ...) takes the ports of its lane's range with its own
# residue, so that two never hand out the same one.
WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:])
_WORKERS = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))


def free_port():
    """A port free now and not handed out before in this run: a hub's three ports must
    differ."""
    while True:
        port = random.randrange(PORTS.start + WORKER, PORTS.stop, _WORKERS)
        if port in _HANDED_OUT:
            continue
        with socket.socket() as s:
            try:
                s.bind(("", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port


class Hub(LoggedProcess):
    """One hub with its own ports, data dir, network and name prefix."""

    def __init__(self, workdir, image, prefix, env=None, dropins=None):
        self.workdir = Path(workdir)
        super().__init__("hub", self.workdir / "hub.log", grace=30)
        self.prefix = prefix
        self.network = f"{prefix}-net"
        self.port = free_port()
        self.token = secrets.token_hex(32)
        config_d = self.workdir / "config.d"
        config_d.mkdir(parents=True, exist_ok=True)
        (config_d / "00-tester.py").write_text(SERVICE_DROPIN.format(token=self.token))
        for name, text in (dropins or {}).items():
            (config_d / name).write_text(text)
        self.env = {
            key: value for key, value in os.environ.items() if not key.startswith("KAGGLE_HUB_")
        }
        self.env.update(
            {
                "PYTHONFAULTHANDLER": "1",
                "KAGGLE_HUB_IMAGE": image,
                "KAGGLE_HUB_DATA_DIR": str(self.workdir / "data"),
                "KAGGLE_HUB_PORT": str(self.port),
                "KAGGLE_HUB_PROXY_API_PORT": str(free_port()),
                "KAGGLE_HUB_API_PORT": str(free_port()),
                "KAGGLE_HUB_NETWORK": self.network,
                "KAGGLE_HUB_NETWORK_INTERNAL": "1",
                "KAGGLE_HUB_PREFIX": prefix,
                "KAGGLE_HUB_CONFIG_D": str(config_d),
                "KAGGLE_HUB_ENV_FILE": str(self.workdir / "none.env"),
                # No standbys unless a test asks (test_standby, and the tests of what a standby
                # shares with a stopped server): each is a server started in the background,
                # which the tests that never wake one paid for (test_data: 8 % of its CPU).
                "KAGGLE_HUB_STANDBY_MAX": "0",
                # No idle culler unless a test asks (the culling tests, and those of what
                # stops with the hub): it is a process of its own beside every hub.
                "KAGGLE_HUB_CULL_IDLE_SECONDS": "0",
                **(env or {}),
            }
        )

    @property
    def url(self):
        tls = self.env.get("KAGGLE_HUB_TLS", "off") in ("files", "self-signed", "acme")
        return f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"

    def start(self, wait=True, command=None, cwd=None, env=None):
        """Start the hub (by default as ``jupyterhub -f jupyterhub_config.py``); with
        ``wait``, return once it has finished starting: its API answers, and it has taken
        over SIGTERM (before that, a stop kills it without cleaning up its proxy)."""
        started = self.log().count(RUNNING)
        self.launch(
            command
            or [sys.executable, "-m", "jupyterhub", "-f", str(REPO_DIR / "jupyterhub_config.py")],
            ready_url=f"{self.url}/hub/api/" if wait else None,
            timeout=60,
            cwd=cwd or self.workdir,
            env={**self.env, **(env or {})},
        )
        if wait:
            wait_for(lambda: self.log().count(RUNNING) > started, 60, what="the hub started")
        return self

    # REST API as the test service -------------------------------------------------------

    def api(self, method, path, **kwargs):
        headers = {"Authorization": f"token {self.token}", **kwargs.pop("headers", {})}
        kwargs.setdefault("timeout", 90)
        kwargs.setdefault("verify", self.verify)
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers, **kwargs)

    def create_user(self, name):
        r = self.api("POST", f"/users/{name}")
        assert r.status_code in (201, 409), r.text
        r = self.api("POST", f"/users/{name}/tokens", json={"note": "test"})
        assert r.status_code == 201, r.text
        return r.json()["token"]

    def server_path(self, user, server=""):
        return f"/users/{user}/servers/{server}" if server else f"/users/{user}/server"

    def server_url(self, user, server=""):
        return f"{self.url}/user/{user}/{server + '/' if server else ''}"

    def start_server(self, user, server="", timeout=120, options=None):
        r = self.api("POST", self.server_path(user, server), json=options)
        assert r.status_code in (201, 202), r.text
        self.wait_ready(user, server, timeout)

    def wait_ready(self, user, server="", timeout=120):
        wait_for(
            lambda: (
                self.api("GET", f"/users/{user}").json()["servers"].get(server, {}).get("ready")
            ),
            timeout,
            interval=0.2,
            what=f"server {user}/{server} ready",
        )

    def stop_server(self, user, server="", timeout=60):
        r = self.api("DELETE", self.server_path(user, server))
        assert r.status_code in (202, 204), r.text
        wait_for(
            lambda: server not in self.api("GET", f"/users/{user}").json()["servers"],
            timeout,
            interval=0.2,
            what=f"server {user}/{server} stopped",
        )

    @property
    def admin_code(self):
        """The one-time code that claims a named admin's account (None before the start)."""
        path = self.workdir / "data/admin_code"
        return path.read_text().strip() if path.exists() else None

    def signup_url(self, url=None):
        """The sign-up page, with the admin code as the owner's printed link carries it."""
        code = self.admin_code
        return f"{url or self.url}/hub/signup" + (f"?admin_code={code}" if code else "")

    def browser_session(self, user, password=None):
        """A cookie session of ``user`` after sign-up and login through the hub's pages.

        Sign-ups are approved by an admin; give ``user`` in KAGGLE_HUB_ADMINS to be approved
        (the sign-up carries the admin code, as the owner's link does).
        """
        session = requests.Session()
        # requests lets REQUESTS_CA_BUNDLE win over a session's verify, not over an argument.
        session.request = functools.partial(session.request, verify=self.verify)
        session.get(f"{self.url}/hub/signup", timeout=30)
        password = password or secrets.token_urlsafe(16)
        xsrf = session.cookies.get("_xsrf", path="/hub/")
        signup = {
            "username": user,
            "signup_password": password,
            "signup_password_confirmation": password,
            "_xsrf": xsrf,
        }
        r = session.post(self.signup_url(), data=signup, timeout=30)
        assert r.status_code == 200, r.text
        login = {"username": user, "password": password, "_xsrf": xsrf}
        r = session.post(f"{self.url}/hub/login", data=login, timeout=30, allow_redirects=False)
        assert r.status_code == 302, r.text
        return session

    def progress_events(self, user, server=""):
        path = (
            f"/users/{user}/servers/{server}/progress"
            if server
            else f"/users/{user}/server/progress"
        )
        r = self.api("GET", path, stream=True)
        events = []
        for line in r.iter_lines(decode_unicode=True):
            if line and line.startswith("data:"):
                events.append(json.loads(line[len("data:") :]))
        return events


class UserServer:
    """A user's single-user server, reached through the hub's proxy with the user's token."""

    def __init__(self, hub, user, token, server=""):
        self.hub = hub
        self.base = hub.server_url(user, server)
        self.headers = {"Authorization": f"token {token}"}

    def request(self, method, path, **kwargs):
        kwargs.setdefault("verify", self.hub.verify)
        kwargs.setdefault("timeout", 30)
        return requests.request(method, self.base + path, headers=self.headers, **kwargs)

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def watch(self, failures, done, every=0.05):
        """Ask for the server's status every ``every`` s until ``done`` is set, as an open
        JupyterLab does; append to ``failures`` when each failed request was sent."""
        while not done.is_set():
            asked = time.monotonic()
            try:
                ok = self.get("api/status", timeout=5).status_code == 200
            except requests.RequestException:
                ok = False
            if not ok:
                failures.append(asked)
            time.sleep(every)

    def put_text(self, path, text):
        body = {"type": "file", "format": "text", "content": text}
        r = self.request("PUT", f"api/contents/{path}", json=body, timeout=60)
        assert r.status_code in (200, 201), r.text

    def put_dir(self, path):
        r = self.request("PUT", f"api/contents/{path}", json={"type": "directory"})
        assert r.status_code in (200, 201), r.text

    def lab_setting(self, plugin):
        """The user's JupyterLab settings of ``plugin``, as the settings API has them."""
        r = self.get(f"lab/api/settings/{plugin}")
        assert r.status_code == 200, r.text
        return json.loads(r.json()["raw"])

    def put_lab_setting(self, plugin, values):
        """Save ``values`` as the user's settings of ``plugin``, as JupyterLab does."""
        r = self.request("PUT", f"lab/api/settings/{plugin}", json={"raw": json.dumps(values)})
        assert r.status_code == 204, r.text

    def read_text(self, path):
        r = self.get(f"api/contents/{path}?content=1&format=text&type=file")
        assert r.status_code == 200, r.text
        return r.json()["content"]

    def names(self, path=""):
        r = self.get(f"api/contents/{path}")
        assert r.status_code == 200, r.text
        return {item["name"] for item in r.json()["content"]}

    def start_kernel(self, code):
        """Start a kernel that keeps running, run ``code`` in it; return the kernel's id."""
        r = self.request("POST", "api/kernels", json={"name": "python3"}, timeout=60)
        assert r.status_code == 201, r.text
        kernel_id = r.json()["id"]
        self.in_kernel(kernel_id, code)
        return kernel_id

    @contextmanager
    def kernel_socket(self, kernel_id, timeout):
        """A websocket to the running kernel ``kernel_id``, closed afterwards."""
        ws = kernel.connect(self.base, kernel_id, self.headers, timeout, self.hub.verify)
        try:
            yield ws
        finally:
            ws.close()

    def kernel_answers(self, kernel_id, timeout=10):
        """True once kernel ``kernel_id`` answers a kernel-info request, as JupyterLab asks
        before it runs a cell in a kernel that (re)started."""
        with self.kernel_socket(kernel_id, timeout) as ws:
            kernel.kernel_info_round_trip(ws)
            return True

    def in_kernel(self, kernel_id, code, timeout=30):
        """Run ``code`` in the running kernel ``kernel_id``; return its stdout."""
        with self.kernel_socket(kernel_id, timeout) as ws:
            return kernel.execute(ws, code)

    def run(self, code, notebook="code/run.ipynb", timeout=60):
        """Execute ``code`` in a kernel whose notebook is ``notebook``; return its stdout."""
        return self.run_cells([code], notebook, timeout)[0]

    def run_cells(self, cells, notebook, timeout=60):
        """Execute each of ``cells`` in turn in one kernel whose notebook is ``notebook`` (so
        its working directory is the notebook's, as on Kaggle); return their stdouts."""
        body = {"path": notebook, "type": "notebook", "name": "", "kernel": {"name": "python3"}}
        r = self.request("POST", "api/sessions", json=body, timeout=60)
        assert r.status_code == 201, r.text
        session = r.json()
        try:
            with self.kernel_socket(session["kernel"]["id"], timeout) as ws:
                return [kernel.execute(ws, code) for code in cells]
        finally:
            self.request("DELETE", f"api/sessions/{session['id']}")
