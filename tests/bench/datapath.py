"""4-5. Memory (an idle server, the hub and proxy per server) and the proxy's data path:
small requests, a bulk download and a kernel's websocket, through the proxy and direct."""

import re
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import requests

from spawner import engine
from spawner.server.layout import WORK_DIR

from .. import kernel
from .figures import fmt, now, ratio, stats
from .run import PREFIX, wait_http

BULK_BYTES = 50 * 10**6


def measure(run):
    hub = run.hub()
    try:
        token = hub.create_user("mem")
        run.hub_spawn(hub, "mem")
        cid, url = run.bare_start(f"{PREFIX}-bare-mem")
        wait_http(url + "/api/status")
        time.sleep(10)
        ours = container_memory(run, f"{hub.prefix}-mem")
        bare = container_memory(run, cid)
        run.rows.append(
            (
                "4. idle memory of one server (bare)",
                f"{ours / 2**20:.0f} MB ({bare / 2**20:.0f} MB)",
                f"{ours / bare:.2f}",
            )
        )
        run.result["idle_mem_mb"] = ours / 2**20
        hub_growth(run, hub)
        proxy_path(run, hub, token)
        run.remove(cid)
    finally:
        run.finish(hub)


def proxy_path(run, hub, token):
    proxied = f"{hub.url}/user/mem/"
    direct = f"http://{run.container_ip(f'{hub.prefix}-mem', hub.network)}:8888/user/mem/"
    headers = {"Authorization": f"token {token}"}
    rps_proxy, rps_direct = alternate(
        run.runs,
        partial(requests_per_second, proxied + "api/status", headers),
        partial(requests_per_second, direct + "api/status", headers),
    )
    run.client.exec_start(
        run.client.exec_create(
            f"{hub.prefix}-mem",
            ["sh", "-c", f"head -c {BULK_BYTES} /dev/urandom > {WORK_DIR}/code/bulk.bin"],
        )
    )
    bulk_proxy, bulk_direct = alternate(
        run.runs,
        partial(download_rate, proxied + "files/code/bulk.bin", headers),
        partial(download_rate, direct + "files/code/bulk.bin", headers),
    )
    rtt_proxy = websocket_rtt(proxied, headers)
    rtt_direct = websocket_rtt(direct, headers)
    run.rows += [
        (
            "5. requests/s through the proxy, wrk, 4 connections (direct)",
            f"{fmt(rps_proxy, 'req/s', digits=0)} ({fmt(rps_direct, 'req/s', digits=0)})",
            ratio(rps_proxy, rps_direct),
        ),
        (
            f"5. download of {BULK_BYTES // 10**6} MB through the proxy, curl (direct)",
            f"{fmt(bulk_proxy, 'MB/s', 1e-6, 0)} ({fmt(bulk_direct, 'MB/s', 1e-6, 0)})",
            ratio(bulk_proxy, bulk_direct),
        ),
        (
            "5. kernel websocket round trip via proxy (direct)",
            f"{fmt(rtt_proxy, 'ms', 1000)} ({fmt(rtt_direct, 'ms', 1000)})",
            ratio(rtt_proxy, rtt_direct),
        ),
    ]


def container_memory(run, container):
    return engine.memory_in_use(run.client, container)


def alternate(runs, first, second):
    """``runs`` runs of two measurements taken in turn; stats of each."""
    a, b = [], []
    for _ in range(runs):
        a.append(first())
        b.append(second())
    return stats(a), stats(b)


def header_args(headers):
    """``-H 'Name: value'`` arguments, as wrk and curl both take them."""
    return [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]


def requests_per_second(url, headers, seconds=3, connections=4):
    """Small GETs for ``seconds`` from wrk, a C load generator: the client takes little
    of the CPU that the proxy and the server share on a small machine."""
    argv = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", *header_args(headers)]
    out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw failed requests to {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([0-9.]+)", out).group(1))


def download_rate(url, headers, extra=()):
    """Bytes per second of one download with curl (``extra``: more curl arguments)."""
    argv = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{speed_download}"]
    argv += [*header_args(headers), *extra]
    out = subprocess.run([*argv, url], capture_output=True, text=True, check=True).stdout
    status, rate = out.split()
    if status != "200":
        raise RuntimeError(f"download of {url} answered {status}")
    return float(rate)


def websocket_rtt(base, headers, rounds=50):
    r = requests.post(base + "api/kernels", headers=headers, json={"name": "python3"}, timeout=60)
    kernel_id = r.json()["id"]
    ws = kernel.connect(base, kernel_id, headers)
    rtts = []
    try:
        for _ in range(rounds + 5):
            started = now()
            kernel.kernel_info_round_trip(ws)
            rtts.append(now() - started)
    finally:
        ws.close()
        requests.delete(base + f"api/kernels/{kernel_id}", headers=headers, timeout=30)
    return stats(rtts[5:])


def hub_growth(run, hub):
    """Hub and proxy memory per running server, from /proc, over 10 more servers."""
    time.sleep(3)
    before = hub_rss(hub)
    users = [f"g{i}" for i in range(10)]
    with ThreadPoolExecutor(5) as pool:
        list(pool.map(lambda u: run.hub_spawn(hub, u), users))
    time.sleep(3)
    after = hub_rss(hub)
    run.rows.append(
        ("4. hub + proxy memory per running server", f"{(after - before) / 10 / 2**20:.2f} MB", "")
    )


def hub_rss(hub):
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
