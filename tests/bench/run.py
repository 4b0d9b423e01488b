"""One benchmark run: the image, bare JupyterLab containers, and hubs to compare them with."""

import secrets
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docker
import requests

from ..hubprocess import Hub
from ..hubs import remove_prefixed, stop_proxies
from ..waiting import wait_for
from .figures import now

PREFIX = "kth-bench"
LAB_PORT = 8888
# What a person runs without a hub: JupyterLab serving the image, no token.
BARE_LAB = [
    "jupyter",
    "lab",
    "--allow-root",
    "--ip=0.0.0.0",
    f"--port={LAB_PORT}",
    "--no-browser",
    "--IdentityProvider.token=",
]
STOCK_DROPIN = """
c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
c.DockerSpawner.image = {image!r}
c.DockerSpawner.network_name = {network!r}
c.DockerSpawner.use_internal_ip = True
c.DockerSpawner.remove = True
c.DockerSpawner.cmd = ["jupyterhub-singleuser"]
c.DockerSpawner.args = ["--allow-root"]
c.DockerSpawner.name_template = "{prefix}-{{username}}"
"""

# JupyterHub's default proxy, started by the hub and stopped with it (cleanup_proxy).
STOCK_PROXY_DROPIN = """
c.JupyterHub.proxy_class = "configurable-http-proxy"
c.ConfigurableHTTPProxy.api_url = {api_url!r}
"""


def wait_http(url, timeout=120, headers=None, ok=lambda r: True, verify=True):
    """Poll ``url`` every 20 ms until ``ok(response)``; return the response."""

    def answered():
        r = requests.get(url, headers=headers, timeout=2, allow_redirects=False, verify=verify)
        return r if ok(r) else None

    return wait_for(answered, timeout, interval=0.02, what=f"{url} answering")


class BenchRun:
    def __init__(self, image, runs, workdir):
        self.image = image
        self.runs = runs
        self.workdir = Path(workdir)
        self.client = docker.APIClient(version="auto")
        self.network = f"{PREFIX}-bare-net"
        self.rows = []
        self.result = {}

    # bare docker run of jupyter lab ----------------------------------------------------

    def bare_network(self):
        if not self.client.networks(names=[self.network]):
            self.client.create_network(self.network, internal=True)

    def bare_start(self, name):
        """Start a bare JupyterLab container; return (container id, its URL)."""
        host = self.client.create_host_config(shm_size="2g", auto_remove=False)
        net = self.client.create_networking_config({self.network: {}})
        c = self.client.create_container(
            self.image,
            command=BARE_LAB,
            name=name,
            host_config=host,
            networking_config=net,
        )
        self.client.start(c["Id"])
        ip = self.container_ip(c["Id"], self.network)
        return c["Id"], f"http://{ip}:{LAB_PORT}"

    def container_ip(self, container, network):
        networks = self.client.inspect_container(container)["NetworkSettings"]["Networks"]
        return networks[network]["IPAddress"]

    def bare_run(self, name):
        started = now()
        cid, url = self.bare_start(name)
        wait_http(url + "/api/status")
        return now() - started, cid, url

    def remove(self, cid):
        self.client.remove_container(cid, force=True)

    def bare_burst(self, n):
        started = now()
        with ThreadPoolExecutor(n) as pool:
            results = list(pool.map(self.bare_run, [f"{PREFIX}-bare-{i}" for i in range(n)]))
        wall = now() - started
        for _, cid, _ in results:
            self.remove(cid)
        return wall, [r[0] for r in results]

    def clean_bare(self):
        remove_prefixed(self.client, f"{PREFIX}-bare")

    # hubs --------------------------------------------------------------------------------

    def hub(self, stock=False, stock_proxy=False, env=None):
        """A started hub: this one, or with ``stock`` DockerSpawner, and with
        ``stock_proxy`` JupyterHub's default proxy too; ``env`` adds settings."""
        prefix = f"{PREFIX}-{'stock' if stock else 'ours'}-{secrets.token_hex(2)}"
        workdir = Path(tempfile.mkdtemp(prefix=prefix, dir=self.workdir))
        # No standbys unless a step asks: each start is then cold, as the figures compared
        # over releases were, and no standby imports in the background while timing.
        env = {"KAGGLE_HUB_CULL_IDLE_SECONDS": "0", "KAGGLE_HUB_STANDBY_MAX": "0", **(env or {})}
        hub = Hub(workdir, self.image, prefix, env=env)
        if stock:
            (workdir / "config.d/50-stock.py").write_text(
                STOCK_DROPIN.format(image=self.image, network=hub.network, prefix=prefix)
            )
        if stock_proxy:
            api = f"http://127.0.0.1:{hub.env['KAGGLE_HUB_PROXY_API_PORT']}"
            (workdir / "config.d/51-stock-proxy.py").write_text(
                STOCK_PROXY_DROPIN.format(api_url=api)
            )
        return hub.start()

    def hub_spawn(self, hub, user, options=None):
        """REST start (with server ``options``) to the server answering through the proxy;
        return seconds.

        A start that takes longer than the hub's 10 s answer is followed on its progress
        stream (as the spawn page does), not by polling.
        """
        token = hub.create_user(user)
        started = now()
        r = hub.api("POST", f"/users/{user}/server", json=options)
        assert r.status_code in (201, 202), r.text
        if r.status_code == 202:
            events = hub.progress_events(user)
            assert events and events[-1].get("ready"), events
        wait_http(
            f"{hub.url}/user/{user}/api/status",
            headers={"Authorization": f"token {token}"},
            ok=lambda r: r.status_code == 200,
            verify=hub.verify,
        )
        return now() - started

    def hub_stop_all(self, hub, users):
        for user in users:
            hub.api("DELETE", f"/users/{user}/server")
        for user in users:
            wait_for(
                lambda u=user: not hub.api("GET", f"/users/{u}").json()["servers"],
                60,
                interval=0.2,
                what=f"server of {user} stopped",
            )

    def finish(self, hub, client=None):
        """Stop ``hub`` and remove what it made on its Docker engine (``client``: this
        machine's)."""
        hub.stop()
        stop_proxies(hub.workdir)
        remove_prefixed(client or self.client, hub.prefix)
