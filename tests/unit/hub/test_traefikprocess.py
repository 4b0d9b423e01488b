"""The proxy's process outliving the hub: found again from its pid file, taken over,
stopped; started in a session of its own with a log of its own. Real processes, with a
``sleep`` named traefik standing in for traefik."""

import os
import shutil
import subprocess
import sys

import pytest

from spawner.hub import traefikprocess

from ...waiting import wait_for


@pytest.fixture
def fake_traefik():
    """A process whose command line is ``traefik 60`` (not a child of a stopped hub, but
    this test's: the same to the checks)."""
    process = subprocess.Popen(["bash", "-c", "exec -a traefik sleep 60"])
    yield process
    process.kill()
    process.wait()


def wait_for_exec(pid):
    wait_for(lambda: open(f"/proc/{pid}/cmdline", "rb").read().startswith(b"traefik"), 5)


def test_the_pid_file_or_the_config_path_find_a_running_traefik_and_nothing_else(tmp_path):
    config = tmp_path / "proxy" / "traefik.toml"
    sleeper = f"exec -a traefik {sys.executable} -c 'import time; time.sleep(60)'"
    process = subprocess.Popen(["bash", "-c", f"{sleeper} --configfile {config}"])
    try:
        wait_for_exec(process.pid)
        pid_file = tmp_path / "proxy.pid"
        elsewhere = tmp_path / "other" / "traefik.toml"
        assert traefikprocess.running_traefik(pid_file, elsewhere) is None
        pid_file.write_text("not a pid\n")
        assert traefikprocess.running_traefik(pid_file, elsewhere) is None
        pid_file.write_text(f"{os.getpid()}\n")  # a live process that is not traefik
        assert traefikprocess.running_traefik(pid_file, elsewhere) is None
        # The pid file lost with the data dir: found by the path it was started on.
        assert traefikprocess.running_traefik(pid_file, config) == process.pid
        pid_file.write_text(f"{process.pid}\n")
        assert traefikprocess.running_traefik(pid_file, elsewhere) == process.pid
    finally:
        process.kill()
        process.wait()


def test_a_taken_over_traefik_is_stopped_and_its_exit_seen_unreaped(fake_traefik):
    wait_for_exec(fake_traefik.pid)
    taken = traefikprocess.TakenOver(fake_traefik.pid)
    assert taken.poll() is None
    with pytest.raises(subprocess.TimeoutExpired):
        taken.wait(0.1)
    traefikprocess.stop(taken, 5)
    # Not reaped yet (a zombie of this test): exited all the same.
    assert taken.poll() == "unknown (started by an earlier hub)"
    assert fake_traefik.wait(5) == -15


def test_a_replaced_program_is_not_the_one_running(fake_traefik, tmp_path):
    wait_for_exec(fake_traefik.pid)
    sleep = shutil.which("sleep")
    assert traefikprocess.runs_program(fake_traefik.pid, sleep)
    copy = tmp_path / "sleep"
    shutil.copy(sleep, copy)
    assert not traefikprocess.runs_program(fake_traefik.pid, str(copy))
    assert not traefikprocess.runs_program(999999999, sleep)


def test_traefik_starts_in_a_session_of_its_own_logging_to_its_file(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "traefik"
    script.write_text('#!/bin/sh\necho "started with $*"\n')
    script.chmod(0o755)
    log = tmp_path / "traefik.log"
    log.write_bytes(b"x" * (traefikprocess.LOG_MAX_BYTES + 1))
    env = {"PATH": f"{bin_dir}:{os.defpath}"}
    process = traefikprocess.launch(tmp_path / "traefik.toml", env, log)
    sid = os.getsid(process.pid)
    assert process.wait(10) == 0
    # A Ctrl-C in the hub's terminal reaches its session, not traefik's.
    assert sid == process.pid
    assert log.read_text() == f"started with --configfile {tmp_path}/traefik.toml\n"
    assert (tmp_path / "traefik.log.1").stat().st_size == traefikprocess.LOG_MAX_BYTES + 1
