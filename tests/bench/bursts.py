"""2-3. Bursts of users starting at once, against as many bare runs, and the hub API's
latency while the largest burst runs."""

import threading
from concurrent.futures import ThreadPoolExecutor

from .figures import fmt, now, ratio, stats


def measure(run, sizes):
    hub = run.hub()
    try:
        run.hub_spawn(hub, "warmup")
        run.hub_stop_all(hub, ["warmup"])
        for n in sizes:
            burst(run, hub, n)
    finally:
        run.finish(hub)


def burst(run, hub, n):
    walls, per_user, bare_walls, api_idle, api_busy = [], [], [], [], []
    for attempt in range(run.runs if n < 16 else max(2, run.runs // 2)):
        bare_wall, _ = run.bare_burst(n)
        bare_walls.append(bare_wall)
        users = [f"b{n}-{attempt}-{i}" for i in range(n)]
        if n == 16:
            api_idle += api_latency(hub, threading.Event(), seconds=3)
        stop = threading.Event()
        sampler = ThreadPoolExecutor(1).submit(api_latency, hub, stop)
        started = now()
        with ThreadPoolExecutor(n) as pool:
            times = list(pool.map(lambda u: run.hub_spawn(hub, u), users))
        walls.append(now() - started)
        stop.set()
        if n == 16:
            api_busy += sampler.result()
        per_user += times
        run.hub_stop_all(hub, users)
    w, bw, pu = stats(walls), stats(bare_walls), stats(per_user)
    run.rows.append(
        (
            f"2. burst of {n}: all ready (bare: {fmt(bw)})",
            f"{fmt(w)}; per user p50 {pu['median']:.2f} s, p95 {pu['p95']:.2f} s",
            ratio(w, bw),
        )
    )
    if n == 16:
        run.result["burst16_s"] = w["median"]
        idle, busy = stats(api_idle), stats(api_busy)
        run.rows.append(
            (
                "3. hub API latency during the burst of 16 (idle)",
                f"p50 {busy['median'] * 1000:.0f} ms, p95 {busy['p95'] * 1000:.0f} ms "
                f"(idle p50 {idle['median'] * 1000:.0f}, p95 {idle['p95'] * 1000:.0f})",
                f"{busy['p95'] / idle['p95']:.2f}",
            )
        )
        run.result["api_p95_ms"] = busy["p95"] * 1000


def api_latency(hub, stop, seconds=None):
    """Seconds of each API call, one every 50 ms, until ``stop`` is set or ``seconds`` pass."""
    samples = []
    deadline = now() + seconds if seconds else None
    while not stop.is_set() and (deadline is None or now() < deadline):
        started = now()
        hub.api("GET", "/users/warmup", timeout=10)
        samples.append(now() - started)
        stop.wait(0.05)
    return samples
