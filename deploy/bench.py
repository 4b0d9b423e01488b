"""Kaggle Team Hub benchmark: ratios against bare Docker measured in the same run.

Run it with ./deploy/bench (which sets up and builds the lite image). Every figure is the
median of several runs with min and max; the last line is machine-readable. Traffic goes
only to 127.0.0.1 and to containers on an internal Docker network made for the run.
"""

import argparse
import json
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import docker
import requests
import websocket

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from spawner.layout import WORK_DIR  # noqa: E402
from tests.hubprocess import Hub  # noqa: E402
from tests.hubs import remove_prefixed  # noqa: E402

PREFIX = "kth-bench"
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
LAB_PORT = 8888
BULK_BYTES = 50 * 10**6
SINGLEUSER_IMPORT = (
    "import time, jupyter_server.serverapp, jupyterlab.labapp; t = time.perf_counter(); "
    "import jupyterhub.singleuser.extension; print(time.perf_counter() - t)"
)


def now():
    return time.monotonic()


def stats(values):
    values = sorted(values)
    return {
        "median": statistics.median(values),
        "min": values[0],
        "max": values[-1],
        "p95": values[min(len(values) - 1, round(0.95 * (len(values) - 1)))],
    }


def fmt(s, unit="s", scale=1.0, digits=2):
    return (
        f"{s['median'] * scale:.{digits}f} {unit} "
        f"({s['min'] * scale:.{digits}f}-{s['max'] * scale:.{digits}f})"
    )


def header_args(headers):
    """``-H 'Name: value'`` arguments, as wrk and curl both take them."""
    return [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]


def wait_http(url, timeout=120, headers=None, ok=lambda r: True):
    deadline = now() + timeout
    while now() < deadline:
        try:
            r = requests.get(url, headers=headers, timeout=2, allow_redirects=False)
            if ok(r):
                return r
        except requests.RequestException:
            pass
        time.sleep(0.02)
    raise TimeoutError(url)


class Bench:
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
            command=[
                "jupyter",
                "lab",
                "--allow-root",
                "--ip=0.0.0.0",
                f"--port={LAB_PORT}",
                "--no-browser",
                "--IdentityProvider.token=",
            ],
            name=name,
            host_config=host,
            networking_config=net,
        )
        self.client.start(c["Id"])
        ip = self.client.inspect_container(c["Id"])["NetworkSettings"]["Networks"][self.network][
            "IPAddress"
        ]
        return c["Id"], f"http://{ip}:{LAB_PORT}"

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

    # hubs --------------------------------------------------------------------------------

    def hub(self, stock=False):
        prefix = f"{PREFIX}-{'stock' if stock else 'ours'}-{secrets.token_hex(2)}"
        workdir = Path(tempfile.mkdtemp(prefix=prefix, dir=self.workdir))
        dropins = {}
        env = {"KAGGLE_HUB_CULL_IDLE_SECONDS": "0"}
        hub = Hub(workdir, self.image, prefix, env=env, dropins=dropins)
        if stock:
            (workdir / "config.d/50-stock.py").write_text(
                STOCK_DROPIN.format(image=self.image, network=hub.network, prefix=prefix)
            )
        return hub.start()

    def hub_spawn(self, hub, user):
        """REST start to the server answering through the proxy; return seconds.

        A start that takes longer than the hub's 10 s answer is followed on its progress
        stream (as the spawn page does), not by polling.
        """
        token = hub.create_user(user)
        started = now()
        r = hub.api("POST", f"/users/{user}/server")
        assert r.status_code in (201, 202), r.text
        if r.status_code == 202:
            events = hub.progress_events(user)
            assert events and events[-1].get("ready"), events
        wait_http(
            f"{hub.url}/user/{user}/api/status",
            headers={"Authorization": f"token {token}"},
            ok=lambda r: r.status_code == 200,
        )
        return now() - started

    def hub_stop_all(self, hub, users):
        for user in users:
            hub.api("DELETE", f"/users/{user}/server")
        for user in users:
            deadline = now() + 60
            while now() < deadline and hub.api("GET", f"/users/{user}").json()["servers"]:
                time.sleep(0.2)

    def finish(self, hub):
        hub.stop()
        remove_prefixed(self.client, hub.prefix)

    # measurements ------------------------------------------------------------------------

    def spawn_ratio(self):
        bare = []
        for i in range(self.runs):
            took, cid, _ = self.bare_run(f"{PREFIX}-bare-{i}")
            self.remove(cid)
            bare.append(took)
        results = {}
        for stock in (False, True):
            hub = self.hub(stock)
            try:
                self.hub_spawn(hub, "warmup")  # first spawn per image runs the version probe
                times = []
                for i in range(self.runs):
                    times.append(self.hub_spawn(hub, f"u{i}"))
                    self.hub_stop_all(hub, [f"u{i}"])
                results[stock] = times
            finally:
                self.finish(hub)
        imports = self.singleuser_import()
        b, ours, stock = stats(bare), stats(results[False]), stats(results[True])
        overhead = stats([t - b["median"] for t in results[False]])
        self.rows += [
            ("1. spawn to ready, bare docker run", fmt(b), "1.00"),
            (
                "1. spawn to ready, Kaggle Team Hub",
                fmt(ours),
                f"{ours['median'] / b['median']:.2f}",
            ),
            (
                "1. spawn to ready, stock DockerSpawner",
                fmt(stock),
                f"{stock['median'] / b['median']:.2f}",
            ),
            ("1. our overhead over bare, p95", f"{overhead['p95']:.2f} s", ""),
            (
                "1. of which: the server importing jupyterhub's single-user code (bare has no hub)",
                fmt(imports),
                f"{imports['median'] / b['median']:.2f}",
            ),
        ]
        self.result["spawn_ratio"] = ours["median"] / b["median"]
        self.result["stock_speedup"] = stock["median"] / ours["median"]

    def singleuser_import(self):
        """Seconds a server in the image spends importing ``jupyterhub.singleuser`` (which
        loads the hub's database layer) after what bare ``jupyter lab`` imports too."""
        took = []
        for _ in range(self.runs):
            c = self.client.create_container(
                self.image, command=["python3", "-c", SINGLEUSER_IMPORT], network_disabled=True
            )
            self.client.start(c["Id"])
            self.client.wait(c["Id"])
            took.append(float(self.client.logs(c["Id"], stderr=False)))
            self.remove(c["Id"])
        return stats(took)

    def bursts(self, sizes):
        hub = self.hub()
        try:
            self.hub_spawn(hub, "warmup")
            self.hub_stop_all(hub, ["warmup"])
            for n in sizes:
                walls, per_user, bare_walls, api_idle, api_busy = [], [], [], [], []
                for run in range(self.runs if n < 16 else max(2, self.runs // 2)):
                    bare_wall, _ = self.bare_burst(n)
                    bare_walls.append(bare_wall)
                    users = [f"b{n}-{run}-{i}" for i in range(n)]
                    if n == 16:
                        api_idle += self.api_latency(hub, seconds=3)
                    stop = threading.Event()
                    sampler = ThreadPoolExecutor(1).submit(self.api_sampler, hub, stop)
                    started = now()
                    with ThreadPoolExecutor(n) as pool:
                        times = list(pool.map(lambda u: self.hub_spawn(hub, u), users))
                    walls.append(now() - started)
                    stop.set()
                    if n == 16:
                        api_busy += sampler.result()
                    per_user += times
                    self.hub_stop_all(hub, users)
                w, bw, pu = stats(walls), stats(bare_walls), stats(per_user)
                self.rows.append(
                    (
                        f"2. burst of {n}: all ready (bare: {fmt(bw)})",
                        f"{fmt(w)}; per user p50 {pu['median']:.2f} s, p95 {pu['p95']:.2f} s",
                        f"{w['median'] / bw['median']:.2f}",
                    )
                )
                if n == 16:
                    self.result["burst16_s"] = w["median"]
                    idle, busy = stats(api_idle), stats(api_busy)
                    self.rows.append(
                        (
                            "3. hub API latency during the burst of 16 (idle)",
                            f"p50 {busy['median'] * 1000:.0f} ms, p95 {busy['p95'] * 1000:.0f} ms "
                            f"(idle p50 {idle['median'] * 1000:.0f}, p95 {idle['p95'] * 1000:.0f})",
                            f"{busy['p95'] / idle['p95']:.2f}",
                        )
                    )
                    self.result["api_p95_ms"] = busy["p95"] * 1000
        finally:
            self.finish(hub)

    def api_latency(self, hub, seconds):
        samples = []
        deadline = now() + seconds
        while now() < deadline:
            started = now()
            hub.api("GET", "/users/warmup", timeout=10)
            samples.append(now() - started)
            time.sleep(0.05)
        return samples

    def api_sampler(self, hub, stop):
        samples = []
        while not stop.is_set():
            started = now()
            hub.api("GET", "/users/warmup", timeout=10)
            samples.append(now() - started)
            time.sleep(0.05)
        return samples

    def memory_and_data_path(self):
        hub = self.hub()
        try:
            token = hub.create_user("mem")
            self.hub_spawn(hub, "mem")
            cid, url = self.bare_start(f"{PREFIX}-bare-mem")
            wait_http(url + "/api/status")
            time.sleep(10)
            ours = self.container_memory(f"{hub.prefix}-mem")
            bare = self.container_memory(cid)
            self.rows.append(
                (
                    "4. idle memory of one server (bare)",
                    f"{ours / 2**20:.0f} MB ({bare / 2**20:.0f} MB)",
                    f"{ours / bare:.2f}",
                )
            )
            self.result["idle_mem_mb"] = ours / 2**20
            self.hub_growth(hub)

            proxied = f"{hub.url}/user/mem/"
            ip = self.client.inspect_container(f"{hub.prefix}-mem")["NetworkSettings"]["Networks"][
                hub.network
            ]["IPAddress"]
            direct = f"http://{ip}:8888/user/mem/"
            headers = {"Authorization": f"token {token}"}
            rps_proxy, rps_direct = self.alternate(
                partial(self.requests_per_second, proxied + "api/status", headers),
                partial(self.requests_per_second, direct + "api/status", headers),
            )
            self.client.exec_start(
                self.client.exec_create(
                    f"{hub.prefix}-mem",
                    ["sh", "-c", f"head -c {BULK_BYTES} /dev/urandom > {WORK_DIR}/code/bulk.bin"],
                )
            )
            bulk_proxy, bulk_direct = self.alternate(
                partial(self.download_rate, proxied + "files/code/bulk.bin", headers),
                partial(self.download_rate, direct + "files/code/bulk.bin", headers),
            )
            rtt_proxy = self.websocket_rtt(proxied, headers)
            rtt_direct = self.websocket_rtt(direct, headers)
            self.rows += [
                (
                    "5. requests/s through the proxy, wrk, 4 connections (direct)",
                    f"{fmt(rps_proxy, 'req/s', digits=0)} ({fmt(rps_direct, 'req/s', digits=0)})",
                    f"{rps_proxy['median'] / rps_direct['median']:.2f}",
                ),
                (
                    f"5. download of {BULK_BYTES // 10**6} MB through the proxy, curl (direct)",
                    f"{fmt(bulk_proxy, 'MB/s', 1e-6, 0)} ({fmt(bulk_direct, 'MB/s', 1e-6, 0)})",
                    f"{bulk_proxy['median'] / bulk_direct['median']:.2f}",
                ),
                (
                    "5. kernel websocket round trip via proxy (direct)",
                    f"{fmt(rtt_proxy, 'ms', 1000)} ({fmt(rtt_direct, 'ms', 1000)})",
                    f"{rtt_proxy['median'] / rtt_direct['median']:.2f}",
                ),
            ]
            self.remove(cid)
        finally:
            self.finish(hub)

    def container_memory(self, container):
        s = self.client.stats(container, stream=False)["memory_stats"]
        inactive = s.get("stats", {}).get(
            "inactive_file", s.get("stats", {}).get("total_inactive_file", 0)
        )
        return s["usage"] - inactive

    def alternate(self, first, second):
        """``self.runs`` runs of two measurements taken in turn; stats of each."""
        a, b = [], []
        for _ in range(self.runs):
            a.append(first())
            b.append(second())
        return stats(a), stats(b)

    def requests_per_second(self, url, headers, seconds=3, connections=4):
        """Small GETs for ``seconds`` from wrk, a C load generator: the client takes little
        of the CPU that the proxy and the server share on a small machine."""
        argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", *header_args(headers)]
        out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
        if "Non-2xx" in out or "Socket errors" in out:
            raise RuntimeError(f"wrk saw failed requests to {url}:\n{out}")
        return float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))

    def download_rate(self, url, headers):
        """Bytes per second of one download with curl."""
        argv = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{speed_download}"]
        argv += header_args(headers)
        out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
        status, rate = out.split()
        if status != "200":
            raise RuntimeError(f"download of {url} answered {status}")
        return float(rate)

    def websocket_rtt(self, base, headers, rounds=50):
        r = requests.post(
            base + "api/kernels", headers=headers, json={"name": "python3"}, timeout=60
        )
        kernel = r.json()["id"]
        ws = websocket.create_connection(
            base.replace("http://", "ws://") + f"api/kernels/{kernel}/channels",
            header=[f"{k}: {v}" for k, v in headers.items()],
            timeout=30,
        )
        rtts = []
        try:
            for _ in range(rounds + 5):
                msg_id = uuid.uuid4().hex
                started = now()
                ws.send(
                    json.dumps(
                        {
                            "header": {
                                "msg_id": msg_id,
                                "msg_type": "kernel_info_request",
                                "username": "b",
                                "session": "bench",
                                "version": "5.3",
                                "date": "",
                            },
                            "parent_header": {},
                            "metadata": {},
                            "content": {},
                            "channel": "shell",
                        }
                    )
                )
                while True:
                    reply = json.loads(ws.recv())
                    if (
                        reply.get("parent_header", {}).get("msg_id") == msg_id
                        and reply["msg_type"] == "kernel_info_reply"
                    ):
                        break
                rtts.append(now() - started)
        finally:
            ws.close()
            requests.delete(base + f"api/kernels/{kernel}", headers=headers, timeout=30)
        return stats(rtts[5:])

    def hub_growth(self, hub):
        """Hub and proxy memory per running server, from /proc, over 10 more servers."""
        time.sleep(3)
        before = self.hub_rss(hub)
        users = [f"g{i}" for i in range(10)]
        with ThreadPoolExecutor(5) as pool:
            list(pool.map(lambda u: self.hub_spawn(hub, u), users))
        time.sleep(3)
        after = self.hub_rss(hub)
        self.rows.append(
            (
                "4. hub + proxy memory per running server",
                f"{(after - before) / 10 / 2**20:.2f} MB",
                "",
            )
        )

    def hub_rss(self, hub):
        pids = [hub.process.pid]
        proxy_pid = Path(hub.env["KAGGLE_HUB_DATA_DIR"], "jupyterhub-proxy.pid")
        if proxy_pid.exists():
            pids.append(int(proxy_pid.read_text().strip()))
        total = 0
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        return total

    def restart(self, n=10):
        bare_starts, restarts, lost, crashed = [], [], 0, 0
        for _ in range(max(2, self.runs // 2)):
            hub = self.hub()
            try:
                hub.stop()
                started = now()
                hub.start()
                bare_starts.append(now() - started)
                tokens = {f"r{i}": hub.create_user(f"r{i}") for i in range(n)}
                with ThreadPoolExecutor(5) as pool:
                    list(pool.map(partial(self.hub_spawn, hub), tokens))
                hub.stop()
                started = now()
                try:
                    hub.start()
                except (RuntimeError, TimeoutError) as e:
                    crashed += 1
                    print(f"hub did not come back after a restart: {str(e)[:300]}", file=sys.stderr)
                    continue
                for user, token in tokens.items():
                    try:
                        wait_http(
                            f"{hub.url}/user/{user}/api/status",
                            timeout=60,
                            headers={"Authorization": f"token {token}"},
                            ok=lambda r: r.status_code == 200,
                        )
                    except TimeoutError:
                        lost += 1
                restarts.append(now() - started)
            finally:
                self.finish(hub)
        b = stats(bare_starts)
        if not restarts:
            self.rows.append(
                (f"6. hub restart with {n} running servers", f"failed {crashed} times", "")
            )
            return
        r = stats(restarts)
        self.rows.append(
            (
                f"6. hub restart with {n} running servers, all reachable (bare start: {fmt(b)})",
                f"{fmt(r)}; servers lost {lost}; failed restarts {crashed}",
                f"{r['median'] / b['median']:.2f}",
            )
        )
        self.result["restart_ratio"] = r["median"] / b["median"]
        self.result["servers_lost"] = lost

    def table(self):
        lines = ["| measurement | figure: median (min-max) | ratio |", "| --- | --- | --- |"]
        lines += [f"| {a} | {b} | {c} |" for a, b, c in self.rows]
        return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(prog="deploy/bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--image", required=True)
    p.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    p.add_argument("--bursts", default="1,4,8,16", help="burst sizes (default 1,4,8,16)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kth-bench-") as workdir:
        bench = Bench(args.image, args.runs, workdir)
        bench.bare_network()
        try:
            for step in (
                bench.spawn_ratio,
                lambda: bench.bursts([int(n) for n in args.bursts.split(",")]),
                bench.memory_and_data_path,
                bench.restart,
            ):
                step()
                print(bench.table(), flush=True)
                print(flush=True)
        finally:
            remove_prefixed(bench.client, f"{PREFIX}-bare")
        r = bench.result
        print(
            f"RESULT spawn_ratio={r['spawn_ratio']:.2f} stock_speedup={r['stock_speedup']:.2f} "
            f"burst16_s={r.get('burst16_s', float('nan')):.1f} "
            f"api_p95_ms={r.get('api_p95_ms', float('nan')):.0f} "
            f"idle_mem_mb={r['idle_mem_mb']:.0f}"
        )


if __name__ == "__main__":
    main()
