"""1. Spawn to ready: bare docker run, our hub and stock DockerSpawner, and where the
difference goes."""

from .figures import fmt, ratio, stats
from .run import PREFIX

SINGLEUSER_IMPORT = (
    "import time, jupyter_server.serverapp, jupyterlab.labapp; t = time.perf_counter(); "
    "import jupyterhub.singleuser.extension; print(time.perf_counter() - t)"
)


def measure(run):
    bare = []
    for i in range(run.runs):
        took, cid, _ = run.bare_run(f"{PREFIX}-bare-{i}")
        run.remove(cid)
        bare.append(took)
    results = {}
    for stock in (False, True):
        hub = run.hub(stock)
        try:
            run.hub_spawn(hub, "warmup")  # first spawn per image runs the version probe
            times = []
            for i in range(run.runs):
                times.append(run.hub_spawn(hub, f"u{i}"))
                run.hub_stop_all(hub, [f"u{i}"])
            results[stock] = times
        finally:
            run.finish(hub)
    imports = singleuser_import(run)
    b, ours, stock = stats(bare), stats(results[False]), stats(results[True])
    overhead = stats([t - b["median"] for t in results[False]])
    run.rows += [
        ("1. spawn to ready, bare docker run", fmt(b), "1.00"),
        ("1. spawn to ready, Kaggle Team Hub", fmt(ours), ratio(ours, b)),
        ("1. spawn to ready, stock DockerSpawner", fmt(stock), ratio(stock, b)),
        ("1. our overhead over bare, p95", f"{overhead['p95']:.2f} s", ""),
        (
            "1. of which: the server importing jupyterhub's single-user code (bare has no hub)",
            fmt(imports),
            ratio(imports, b),
        ),
    ]
    run.result["spawn_ratio"] = ours["median"] / b["median"]
    run.result["stock_speedup"] = stock["median"] / ours["median"]


def singleuser_import(run):
    """Seconds a server in the image spends importing ``jupyterhub.singleuser`` (which
    loads the hub's database layer) after what bare ``jupyter lab`` imports too."""
    took = []
    for _ in range(run.runs):
        c = run.client.create_container(
            run.image, command=["python3", "-c", SINGLEUSER_IMPORT], network_disabled=True
        )
        run.client.start(c["Id"])
        run.client.wait(c["Id"])
        took.append(float(run.client.logs(c["Id"], stderr=False)))
        run.remove(c["Id"])
    return stats(took)
