"""8. Moving a user's volume: kaggle-hub backup and restore --force, and the hub's quarantine
of a deleted user's volume, against a bare tar | gzip of the same volume; peak memory of
each against the volume's size (it must stay flat)."""

import os
import subprocess

from spawner.server.volumes import MOUNT
from spawner.sizes import human_size

from ..hubprocess import KAGGLE_HUB
from .figures import fmt, now, ratio, stats


def fill(run, volume, size):
    """Put ``size`` bytes in ``volume``: half random (incompressible), half zeros."""
    half = size // 2
    run.client.create_volume(volume)
    script = (
        f"mkdir -p {MOUNT}/input && head -c {half} /dev/urandom > {MOUNT}/input/random.bin && "
        f"head -c {size - half} /dev/zero > {MOUNT}/input/zeros.bin"
    )
    docker_run(run, volume, ["sh", "-c", script])


def docker_run(run, volume, command, stdout=subprocess.DEVNULL):
    subprocess.run(
        ["docker", "run", "--rm", "--network", "none", "-v", f"{volume}:{MOUNT}", run.image]
        + command,
        check=True,
        stdout=stdout,
    )


def timed_peak(argv, env):
    """Run ``argv``; return (seconds, peak resident memory in bytes)."""
    started = now()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"{argv} exited with {process.returncode}")
    return now() - started, usage.ru_maxrss * 1024


def peak_memory(pid):
    """The peak resident memory (VmHWM) of a running process, in bytes."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM for {pid}")


def measure(run, sizes_gb=(0.5, 3.0)):
    for size_gb in sizes_gb:
        size = int(size_gb * 2**30)
        hub = run.hub()
        try:
            measure_size(run, hub, size)
        finally:
            run.finish(hub)


def measure_size(run, hub, size):
    volume = f"{hub.prefix}-vol-work"
    fill(run, volume, size)
    archive = run.workdir / "vol.tar.gz"
    env = {**os.environ, **hub.env}
    bare, backups, restores, backup_peak, restore_peak = [], [], [], 0, 0
    for _ in range(max(1, run.runs // 3)):
        started = now()
        with open(run.workdir / "bare.tar.gz", "wb") as out:
            docker_run(run, volume, ["tar", "czf", "-", "-C", MOUNT, "."], stdout=out)
        bare.append(now() - started)
        seconds, peak = timed_peak([str(KAGGLE_HUB), "backup", "vol", "-o", str(archive)], env)
        backups.append(seconds)
        backup_peak = max(backup_peak, peak)
        seconds, peak = timed_peak(
            [str(KAGGLE_HUB), "restore", "vol", str(archive), "--force"], env
        )
        restores.append(seconds)
        restore_peak = max(restore_peak, peak)
        for kept in run.client.volumes(filters={"name": f"{volume}-deleted-"})["Volumes"] or []:
            run.client.remove_volume(kept["Name"])
    b, k, r = stats(bare), stats(backups), stats(restores)
    label = human_size(size)
    run.rows.append(
        (
            f"8. kaggle-hub backup of a {label} volume (bare tar czf: {fmt(b)}); peak memory",
            f"{fmt(k)}; {human_size(backup_peak)}",
            ratio(k, b),
        )
    )
    run.rows.append(
        (
            "8. kaggle-hub restore --force of it (keeps the old content first); peak memory",
            f"{fmt(r)}; {human_size(restore_peak)}",
            ratio(r, b),
        )
    )
    quarantine(run, hub, volume, label)
    run.result[f"backup_peak_mb_{size >> 20}"] = backup_peak / 2**20


def quarantine(run, hub, volume, label):
    """Delete the volume's user on the hub; its peak memory before and after."""
    run.hub_spawn(hub, "vol")  # a user whose server has run, as before a real deletion
    run.hub_stop_all(hub, ["vol"])
    before = peak_memory(hub.process.pid)
    started = now()
    r = hub.api("DELETE", "/users/vol")
    assert r.status_code == 204, r.text
    seconds = now() - started
    after = peak_memory(hub.process.pid)
    if not run.client.volumes(filters={"name": f"{volume}-deleted-"})["Volumes"]:
        raise RuntimeError(f"the hub did not quarantine {volume}")
    run.rows.append(
        (
            f"8. user deletion quarantining a {label} volume: hub peak memory before / after",
            f"{seconds:.1f} s; {human_size(before)} / {human_size(after)}",
            f"{after / before:.2f}",
        )
    )
