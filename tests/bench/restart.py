"""6. A hub restart with running servers: time until every server answers again, against
a bare hub start, and servers lost."""

import sys
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from ..processes import fault_report
from .figures import fmt, now, ratio, stats
from .run import wait_http


def measure(run, n=10):
    bare_starts, restarts, lost, crashed = [], [], 0, 0
    for _ in range(max(2, run.runs // 2)):
        hub = run.hub()
        try:
            hub.stop()
            started = now()
            hub.start()
            bare_starts.append(now() - started)
            tokens = {f"r{i}": hub.create_user(f"r{i}") for i in range(n)}
            with ThreadPoolExecutor(5) as pool:
                list(pool.map(partial(run.hub_spawn, hub), tokens))
            hub.stop()
            started = now()
            try:
                hub.start()
            except (RuntimeError, TimeoutError) as e:
                crashed += 1
                print(
                    f"hub did not come back after a restart: {str(e).splitlines()[0]}\n"
                    f"{fault_report(hub.log())}",
                    file=sys.stderr,
                )
                continue
            lost += unreachable(hub, tokens)
            restarts.append(now() - started)
        finally:
            run.finish(hub)
    b = stats(bare_starts)
    if not restarts:
        run.rows.append((f"6. hub restart with {n} running servers", f"failed {crashed} times", ""))
        return
    r = stats(restarts)
    run.rows.append(
        (
            f"6. hub restart with {n} running servers, all reachable (bare start: {fmt(b)})",
            f"{fmt(r)}; servers lost {lost}; failed restarts {crashed}",
            ratio(r, b),
        )
    )
    run.result["restart_ratio"] = r["median"] / b["median"]
    run.result["servers_lost"] = lost


def unreachable(hub, tokens):
    """How many of the users' servers do not answer through the proxy within 60 s."""
    lost = 0
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
    return lost
