"""10. A hub restart (SIGTERM, then a new start) while a member works: how long their server,
asked for its status every 0.05 s through the proxy as an open JupyterLab does, fails to
answer; this hub (traefik outlives it) against stock JupyterHub + DockerSpawner with
JupyterHub's default proxy (configurable-http-proxy, which the hub stops with itself)."""

import signal
import threading
import time

from ..hubprocess import UserServer
from ..waiting import wait_for
from .figures import fmt, ratio, stats


def measure(run):
    figures = {}
    for kind in ("ours", "stock"):
        outages, failed = [], []
        for _ in range(max(2, run.runs // 2)):
            stock = kind == "stock"
            hub = run.hub(stock=stock, stock_proxy=stock)
            try:
                outage, failures = restart_outage(run, hub)
            finally:
                run.finish(hub)
            outages.append(outage)
            failed.append(failures)
        figures[kind] = (stats(outages), stats(failed))
    (ours, ours_failed), (stock, stock_failed) = figures["ours"], figures["stock"]
    run.rows.append(
        (
            "10. hub restart with JupyterLab open: server unreachable (stock JupyterHub + "
            f"DockerSpawner + configurable-http-proxy: {fmt(stock)}, "
            f"{stock_failed['median']:.0f} failed requests)",
            f"{fmt(ours)}; {ours_failed['median']:.0f} failed requests",
            ratio(ours, stock),
        )
    )
    run.result["restart_outage_s"] = ours["median"]
    run.result["stock_restart_outage_s"] = stock["median"]


def restart_outage(run, hub):
    """``(seconds from the first failed request to the last, failed requests)`` for a
    server watched through a SIGTERM restart of ``hub``."""
    run.hub_spawn(hub, "watcher")
    server = UserServer(hub, "watcher", hub.create_user("watcher"))
    # JupyterLab has been open a while: the hub has seen its login.
    assert server.get("api/status").status_code == 200
    failures, done = [], threading.Event()
    watching = threading.Thread(target=server.watch, args=(failures, done))
    watching.start()
    try:
        hub.process.send_signal(signal.SIGTERM)
        hub.process.wait(60)
        hub.start()
        wait_for(
            lambda: server.get("api/status", timeout=2).status_code == 200,
            60,
            what="the server answering through the proxy again",
        )
        time.sleep(1)
    finally:
        done.set()
        watching.join()
    outage = failures[-1] - failures[0] + 0.05 if failures else 0.0
    return outage, len(failures)
