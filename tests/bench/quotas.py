"""12. What a disk quota costs: spawns on a hub with KAGGLE_HUB_DISK_QUOTA and on one without,
interleaved: a new member's first start (the quota's filesystem is made), a returning
member's (it is mounted already) and one after a reboot (mounted again); then writing a
file through each kind of volume, since a quota's filesystem sits on a loop device."""

import subprocess

from spawner.server import quotas

from .figures import fmt, now, ratio, stats

QUOTA = "2g"
WRITE_MB = 256
# Write and flush to the disk, as saving a model checkpoint does.
WRITE = f"dd if=/dev/zero of=/tmp/working/bench.bin bs=1M count={WRITE_MB} conv=fsync"


def write_seconds(run, container):
    exec_id = run.client.exec_create(container, ["sh", "-c", WRITE])["Id"]
    started = now()
    run.client.exec_start(exec_id)
    took = now() - started
    assert run.client.exec_inspect(exec_id)["ExitCode"] == 0
    return took


def unmount(run, hub, user):
    """Unmount ``user``'s quota filesystem, as a reboot leaves it."""
    info = run.client.inspect_volume(f"{hub.prefix}-{user}-work")
    subprocess.run(["umount", quotas.mount_point(info)], check=True)


def measure(run):
    plain = run.hub()
    capped = run.hub(
        env={"KAGGLE_HUB_DISK_QUOTA": QUOTA, "KAGGLE_HUB_QUOTA_DIR": str(run.workdir / "quotas")}
    )
    figures = {key: [] for key in ("new", "new_q", "back", "back_q", "boot_q", "w", "w_q")}
    try:
        for i in range(run.runs):
            user = f"u{i}"
            figures["new"].append(run.hub_spawn(plain, user))
            figures["new_q"].append(run.hub_spawn(capped, user))
            figures["w"].append(write_seconds(run, f"{plain.prefix}-{user}"))
            figures["w_q"].append(write_seconds(run, f"{capped.prefix}-{user}"))
            run.hub_stop_all(plain, [user])
            run.hub_stop_all(capped, [user])
            figures["back"].append(run.hub_spawn(plain, user))
            figures["back_q"].append(run.hub_spawn(capped, user))
            run.hub_stop_all(capped, [user])
            unmount(run, capped, user)
            figures["boot_q"].append(run.hub_spawn(capped, user))
            run.hub_stop_all(plain, [user])
            run.hub_stop_all(capped, [user])
    finally:
        run.finish(plain)
        run.finish(capped)
    s = {key: stats(values) for key, values in figures.items()}
    run.rows += [
        ("12. a new member's first spawn, no quota", fmt(s["new"]), "1.00"),
        (
            f"12. a new member's first spawn, {QUOTA} quota (filesystem made)",
            fmt(s["new_q"]),
            ratio(s["new_q"], s["new"]),
        ),
        ("12. a returning member's spawn, no quota", fmt(s["back"]), "1.00"),
        (
            "12. a returning member's spawn, quota mounted",
            fmt(s["back_q"]),
            ratio(s["back_q"], s["back"]),
        ),
        (
            "12. a returning member's spawn after a reboot (mounted again)",
            fmt(s["boot_q"]),
            ratio(s["boot_q"], s["back"]),
        ),
        (f"12. writing {WRITE_MB} MB with fsync, no quota", fmt(s["w"]), "1.00"),
        (
            f"12. writing {WRITE_MB} MB with fsync, quota (loop device)",
            fmt(s["w_q"]),
            ratio(s["w_q"], s["w"]),
        ),
    ]
    run.result["quota_spawn_ratio"] = s["new_q"]["median"] / s["new"]["median"]
