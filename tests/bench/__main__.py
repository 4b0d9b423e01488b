"""``python -m tests.bench --image IMAGE``: run every measurement and print the table."""

import argparse
import tempfile

from . import __doc__ as summary
from . import (
    bursts,
    datapath,
    gpus,
    outage,
    proxies,
    quotas,
    restart,
    spawn,
    standby,
    swarm,
    team,
    volumes,
)
from .figures import table
from .run import BenchRun

STEPS = (
    "spawn",
    "standby",
    "bursts",
    "datapath",
    "restart",
    "outage",
    "proxies",
    "volumes",
    "swarm",
    "gpus",
    "quotas",
    "team",
)


def main(argv=None):
    p = argparse.ArgumentParser(prog="deploy/bench", description=summary.split("\n\n")[0])
    p.add_argument("--image", required=True)
    p.add_argument("--hub-image", required=True, help="the hub's image, for the swarm")
    p.add_argument("--node-image", required=True, help="a swarm worker's image, for the swarm")
    p.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    p.add_argument("--bursts", default="1,4,8,16", help="burst sizes (default 1,4,8,16)")
    p.add_argument(
        "--volume-gb",
        default="0.5,3",
        help="sizes of the volumes moved by backup, restore and quarantine (default 0.5,3)",
    )
    p.add_argument(
        "--steps",
        default=",".join(STEPS),
        help=f"what to measure, comma-separated (default all: {','.join(STEPS)})",
    )
    args = p.parse_args(argv)
    sizes = [int(n) for n in args.bursts.split(",")]
    steps = {
        "spawn": spawn.measure,
        "standby": standby.measure,
        "bursts": lambda r: bursts.measure(r, sizes),
        "datapath": datapath.measure,
        "restart": restart.measure,
        "outage": outage.measure,
        "proxies": proxies.measure,
        "volumes": lambda r: volumes.measure(r, [float(g) for g in args.volume_gb.split(",")]),
        "swarm": lambda r: swarm.measure(r, args.hub_image, args.node_image),
        "gpus": gpus.measure,
        "quotas": quotas.measure,
        "team": team.measure,
    }
    with tempfile.TemporaryDirectory(prefix="kth-bench-") as workdir:
        run = BenchRun(args.image, args.runs, workdir)
        run.bare_network()
        try:
            for name in args.steps.split(","):
                steps[name](run)
                print(table(run.rows), flush=True)
                print(flush=True)
        finally:
            run.clean_bare()
    print("RESULT " + " ".join(f"{key}={value:.2f}" for key, value in run.result.items()))


if __name__ == "__main__":
    main()
