"""11. What a GPU costs a spawn: the same hub starting a server with one GPU (chosen among
those the other servers hold) and without, interleaved, on a second Docker engine whose
nvidia driver runs the stand-in hook of tests/data/nvidia (this machine has no GPU; the
hook records instead of mounting devices, so the figure is the hub's part and Docker's)."""

import json

from spawner.server import gpus
from spawner.settings.environment import REPO_DIR

from ..secondengine import second_engine
from .figures import fmt, now, ratio, stats

STAND_INS = REPO_DIR / "tests/data/nvidia"
POOL = 16
HOLDERS = 8


def measure(run):
    record = run.workdir / "gpu-record.jsonl"
    with second_engine(
        run.image, path=[STAND_INS], env={"KAGGLE_HUB_TEST_GPU_RECORD": str(record)}
    ) as (address, client, _):
        profiles = run.workdir / "gpu-profiles.json"
        offer = [{"name": "cpu", "default": True}, {"name": "gpu", "gpus": 1}]
        profiles.write_text(json.dumps(offer))
        hub = run.hub(
            env={
                "DOCKER_HOST": address,
                "KAGGLE_HUB_PROFILES_FILE": str(profiles),
                "KAGGLE_HUB_GPUS": ",".join(str(i) for i in range(POOL)),
            }
        )
        try:
            for i in range(HOLDERS):
                run.hub_spawn(hub, f"holder{i}", {"profile": "gpu"})
            without, with_gpu = [], []
            for i in range(run.runs):
                without.append(run.hub_spawn(hub, f"c{i}", {"profile": "cpu"}))
                with_gpu.append(run.hub_spawn(hub, f"g{i}", {"profile": "gpu"}))
                run.hub_stop_all(hub, [f"c{i}", f"g{i}"])
            choosing = []
            devices = tuple(str(i) for i in range(POOL))
            for _ in range(run.runs):
                started = now()
                held = gpus.holdings(client, hub.prefix, devices)
                gpus.choose(1, devices, held, "someone")
                choosing.append(now() - started)
        finally:
            run.finish(hub, client)
    base, gpu, choice = stats(without), stats(with_gpu), stats(choosing)
    run.rows += [
        (f"11. spawn to ready without a GPU ({HOLDERS} servers holding GPUs)", fmt(base), "1.00"),
        (f"11. spawn to ready with 1 GPU chosen among {POOL}", fmt(gpu), ratio(gpu, base)),
        (
            f"11. of which: reading who holds the GPUs from Docker ({HOLDERS} containers)",
            fmt(choice, "ms", 1000, 1),
            "",
        ),
    ]
    run.result["gpu_spawn_ratio"] = gpu["median"] / base["median"]
