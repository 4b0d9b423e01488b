"""13. What the team folder costs: spawns on a hub with the team folder and on one without
(KAGGLE_HUB_TEAM_FOLDER=off), interleaved, a new member's and a returning one's; then
writing small files into the team folder from Python, with the kernel's record of each
file's maker and without it, in the same server."""

import json

from .figures import against, stats

FILES = 2000
ROUNDS = 4
# Run in a server: time FILES small files written with Python's own open, and as many with
# the open a kernel uses (recording the maker), in alternating rounds so both see the same
# disk.
WRITES = f"""
import json, time, builtins
import kaggle_team_hub_team as team
plain = builtins.open
team.record_writes()
recording = builtins.open
took = {{"plain": 0.0, "recorded": 0.0}}
for round in range({ROUNDS}):
    for name, opener in (("plain", plain), ("recorded", recording)):
        began = time.perf_counter()
        for i in range({FILES // ROUNDS}):
            with opener(f"/tmp/working/team/bench-{{name}}-{{round}}-{{i}}.txt", "w") as f:
                f.write("x")
        took[name] += time.perf_counter() - began
print(json.dumps(took))
"""


def write_seconds(run, container):
    exec_id = run.client.exec_create(container, ["python3", "-c", WRITES])["Id"]
    out = run.client.exec_start(exec_id).decode()
    assert run.client.exec_inspect(exec_id)["ExitCode"] == 0, out
    run.client.exec_start(
        run.client.exec_create(container, ["sh", "-c", "rm -f /tmp/working/team/bench-*"])["Id"]
    )
    return json.loads(out.strip().splitlines()[-1])


def measure(run):
    plain = run.hub(env={"KAGGLE_HUB_TEAM_FOLDER": "off"})
    shared = run.hub()
    figures = {key: [] for key in ("new", "new_t", "back", "back_t", "w", "w_t")}
    try:
        for i in range(run.runs):
            user = f"t{i}"
            figures["new"].append(run.hub_spawn(plain, user))
            figures["new_t"].append(run.hub_spawn(shared, user))
            took = write_seconds(run, f"{shared.prefix}-{user}")
            figures["w"].append(took["plain"])
            figures["w_t"].append(took["recorded"])
            run.hub_stop_all(plain, [user])
            run.hub_stop_all(shared, [user])
            figures["back"].append(run.hub_spawn(plain, user))
            figures["back_t"].append(run.hub_spawn(shared, user))
            run.hub_stop_all(plain, [user])
            run.hub_stop_all(shared, [user])
    finally:
        run.finish(plain)
        run.finish(shared)
    s = {key: stats(values) for key, values in figures.items()}
    run.rows += [
        *against(
            "13. a new member's first spawn, no team folder",
            s["new"],
            "13. a new member's first spawn, team folder mounted",
            s["new_t"],
        ),
        *against(
            "13. a returning member's spawn, no team folder",
            s["back"],
            "13. a returning member's spawn, team folder mounted",
            s["back_t"],
        ),
        *against(
            f"13. writing {FILES} small files in the team folder, Python's open",
            s["w"],
            f"13. writing {FILES} small files, the kernel's open (maker recorded)",
            s["w_t"],
        ),
    ]
    run.result["team_spawn_ratio"] = s["back_t"]["median"] / s["back"]["median"]
