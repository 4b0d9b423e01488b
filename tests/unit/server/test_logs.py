"""What a user reads when their server dies: while starting, and while running."""

from spawner.server import logs

MB = 1024**2


def test_out_of_memory_at_start_names_the_limit_and_the_log_command():
    message = logs.exit_message(
        {"OOMKilled": True, "ExitCode": 137}, "", 24 * MB, "kaggle-hub logs a"
    )
    assert message == (
        "Your server stopped while starting: it ran out of memory: its memory limit (24.0 MB) "
        "is too small for JupyterLab to start. Pick a profile with more memory, or ask an "
        "admin to raise the limit. The whole log: kaggle-hub logs a."
    )


def test_an_exit_at_start_quotes_the_last_lines():
    tail = "one\n\ntwo\nthree\nfour\n"
    message = logs.exit_message({"ExitCode": 3}, tail, None, "kaggle-hub logs a")
    assert (
        "it exited (exit code 3: it failed (its log's last lines say why)); its log ends: "
        "two | three | four." in message
    )


def test_an_unreachable_hub_quotes_the_singleuser_line_only():
    tail = (
        "Traceback\n  File x\n[E] Failed to connect to my Hub at http://h:1/hub/api (attempt 1/5)\n"
    )
    message = logs.exit_message({"Running": True}, tail, None, "kaggle-hub logs a")
    assert "it cannot reach the hub's API" in message
    assert "its log ends: [E] Failed to connect to my Hub at http://h:1/hub/api" in message
    assert "Traceback" not in message


def test_a_death_while_running_says_why():
    assert logs.death_reason({"OOMKilled": True}, 512 * MB).startswith(
        "stopped: it ran out of memory (its limit of 512.0 MB)"
    )
    assert logs.death_reason({"ExitCode": 137}, None) == (
        "stopped unexpectedly (exit code 137: it was killed (SIGKILL): a stop that did not "
        "finish in time, a docker kill, or the machine running out of memory). Start it again"
    )


def test_exit_codes_are_said_in_plain_words():
    assert logs.exit_words(0) == "exit code 0: it stopped normally"
    assert logs.exit_words(143) == "exit code 143: it was stopped (SIGTERM)"
    assert logs.exit_words(139) == "exit code 139: it was killed by signal 11"
    assert logs.run_status({"ExitCode": 137, "OOMKilled": True}) == (
        "exit code 137: killed, out of memory"
    )


def test_a_kept_run_is_stamped_with_when_docker_says_it_ended(tmp_path):
    state = {"ExitCode": 137, "FinishedAt": "2026-12-04T18:40:01.123456789Z"}
    ended = logs.finished_at(state)
    assert ended.isoformat() == "2026-12-04T18:40:01.123456+00:00"
    assert logs.finished_at({"FinishedAt": "0001-01-01T00:00:00Z"}) is None
    assert logs.finished_at({"FinishedAt": "2026-12-04T18:40:01Z"}).second == 1
    path = logs.keep(tmp_path, "kaggle-ann", "last line\n", logs.run_status(state), now=ended)
    assert path.read_text().splitlines()[0] == (
        "===== kaggle-ann ended 2026-12-04T18:40:01+00:00: exit code 137: it was killed "
        "(SIGKILL): a stop that did not finish in time, a docker kill, or the machine running "
        "out of memory ====="
    )
