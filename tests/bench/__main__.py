"""``python -m tests.bench --image IMAGE``: run every measurement and print the table."""

import argparse
import tempfile

from . import __doc__ as summary
from . import bursts, datapath, restart, spawn
from .figures import table
from .run import BenchRun


def main(argv=None):
    p = argparse.ArgumentParser(prog="deploy/bench", description=summary.split("\n\n")[0])
    p.add_argument("--image", required=True)
    p.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    p.add_argument("--bursts", default="1,4,8,16", help="burst sizes (default 1,4,8,16)")
    args = p.parse_args(argv)
    sizes = [int(n) for n in args.bursts.split(",")]
    with tempfile.TemporaryDirectory(prefix="kth-bench-") as workdir:
        run = BenchRun(args.image, args.runs, workdir)
        run.bare_network()
        try:
            for step in (
                spawn.measure,
                lambda r: bursts.measure(r, sizes),
                datapath.measure,
                restart.measure,
            ):
                step(run)
                print(table(run.rows), flush=True)
                print(flush=True)
        finally:
            run.clean_bare()
    r = run.result
    print(
        f"RESULT spawn_ratio={r['spawn_ratio']:.2f} stock_speedup={r['stock_speedup']:.2f} "
        f"burst16_s={r.get('burst16_s', float('nan')):.1f} "
        f"api_p95_ms={r.get('api_p95_ms', float('nan')):.0f} "
        f"idle_mem_mb={r['idle_mem_mb']:.0f}"
    )


if __name__ == "__main__":
    main()
