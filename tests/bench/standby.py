"""14. Standbys: a returning member's start against a bare ``docker run`` of the same image,
a new member's start on the same hub, the memory of one waiting standby, and a morning
burst of 16 returning members against 16 bare runs."""

from concurrent.futures import ThreadPoolExecutor

from ..waiting import wait_for
from .datapath import container_memory
from .figures import fmt, now, ratio, stats

MORNING = 16


def waiting(run, hub, user):
    """Wait until ``user``'s standby has imported everything; its container id."""
    name = f"{hub.prefix}-{user}-standby"

    def ready():
        found = run.client.containers(all=True, filters={"name": f"^/{name}$"})
        if found and b"standby ready" in run.client.logs(found[0]["Id"]):
            return found[0]["Id"]
        return None

    return wait_for(ready, 120, interval=0.1, what=f"the standby of {user}")


def returning(run, hub, users):
    """Start and stop each of ``users`` once, then wait for all their standbys."""
    for user in users:
        run.hub_spawn(hub, user)
    run.hub_stop_all(hub, users)
    return [waiting(run, hub, user) for user in users]


def measure(run):
    hub = run.hub(env={"KAGGLE_HUB_STANDBY_MAX": str(MORNING)})
    try:
        run.hub_spawn(hub, "warmup")  # the first spawn per image runs the version probe
        run.hub_stop_all(hub, ["warmup"])
        bare, back, new, memory = [], [], [], []
        for i in range(run.runs):
            took, cid, _ = run.bare_run(f"kth-bench-bare-{i}")
            run.remove(cid)
            bare.append(took)
            (standby,) = returning(run, hub, [f"r{i}"])
            memory.append(container_memory(run, standby))
            back.append(run.hub_spawn(hub, f"r{i}"))
            new.append(run.hub_spawn(hub, f"n{i}"))
            run.hub_stop_all(hub, [f"r{i}", f"n{i}"])
        morning = [f"m{i}" for i in range(MORNING)]
        returning(run, hub, morning)
        bare_wall, _ = run.bare_burst(MORNING)
        started = now()
        with ThreadPoolExecutor(MORNING) as pool:
            per_user = list(pool.map(lambda u: run.hub_spawn(hub, u), morning))
        wall = now() - started
    finally:
        run.finish(hub)
    b, r, n, m = stats(bare), stats(back), stats(new), stats(memory)
    pu = stats(per_user)
    run.rows += [
        ("14. spawn to ready, bare docker run", fmt(b), "1.00"),
        ("14. a returning member's start (their standby woken)", fmt(r), ratio(r, b)),
        ("14. a new member's start, standbys on", fmt(n), ratio(n, b)),
        ("14. memory of one waiting standby", fmt(m, "MB", 1 / 2**20, 0), ""),
        (
            f"14. morning burst of {MORNING} returning members: all ready "
            f"(bare: {bare_wall:.2f} s)",
            f"{wall:.2f} s; per user p50 {pu['median']:.2f} s, p95 {pu['p95']:.2f} s",
            f"{wall / bare_wall:.2f}",
        ),
    ]
    run.result["standby_ratio"] = r["median"] / b["median"]
