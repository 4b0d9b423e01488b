"""The kernel extension installed in user images (deploy/image), against fake cgroup files."""

import importlib.util
import os
import subprocess
import sys

import pytest

from ...hubprocess import REPO_DIR


@pytest.fixture
def extension(tmp_path, monkeypatch):
    # The image installs its modules side by side.
    monkeypatch.syspath_prepend(str(REPO_DIR / "deploy/image"))
    spec = importlib.util.spec_from_file_location(
        "kaggle_team_hub_kernel", REPO_DIR / "deploy/image/kaggle_team_hub_kernel.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "CGROUP", tmp_path / "cgroup")
    monkeypatch.setattr(module, "STATE_DIR", tmp_path / "state")
    (tmp_path / "cgroup/memory").mkdir(parents=True)
    return module


def test_cgroup_v1_counts_and_limit_are_read(extension):
    memory = extension.CGROUP / "memory"
    (memory / "memory.oom_control").write_text("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n")
    (memory / "memory.limit_in_bytes").write_text("419430400\n")
    assert extension.oom_kills() == 3
    assert extension.memory_limit() == 400 * 1024**2


def test_cgroup_v2_counts_and_no_limit_are_read(extension):
    (extension.CGROUP / "memory.events").write_text("low 0\nhigh 0\nmax 2\noom 1\noom_kill 1\n")
    (extension.CGROUP / "memory.max").write_text("max\n")
    assert extension.oom_kills() == 1
    assert extension.memory_limit() is None
    assert "no memory limit of its own" in extension.notice(None)


def test_no_cgroup_files_means_nothing_is_said(extension):
    assert extension.oom_kills() is None
    assert extension.memory_limit() is None


def test_only_a_grown_count_since_the_same_kernels_last_start_is_told(extension):
    assert not extension.changed_since_last_start("kernel-a.json", 0)  # first start
    assert not extension.changed_since_last_start("kernel-a.json", 0)  # restarted by hand
    assert not extension.changed_since_last_start("kernel-b.json", 1)  # another kernel
    assert extension.changed_since_last_start("kernel-a.json", 1)  # restarted after a kill
    assert not extension.changed_since_last_start("kernel-a.json", 1)


def test_the_notice_names_the_limit(extension):
    text = extension.notice(2 * 1024**3)
    assert text.startswith("Your previous kernel was stopped because it ran out of memory")
    assert "this server's memory limit is 2.0 GB" in text


def test_the_hubs_words_replace_the_quoted_answer_of_kaggle_secrets(extension):
    quoted = (
        "Unexpected response from the service. Response: {'wasSuccessful': False, 'errors': "
        "[\"You have no secret named 'WANDB' on this hub: add it on the Secrets page "
        '(/hub/secrets), then run this cell again."]}.'
    )
    assert extension.hub_words(quoted) == (
        "You have no secret named 'WANDB' on this hub: add it on the Secrets page "
        "(/hub/secrets), then run this cell again."
    )
    for other in (
        "Unexpected response from the service.",
        "Unexpected response from the service. Response: {'secret': 5}",
        "Response: __import__('os').system('true')",
        "Response: {'errors': [1, 2]}",
    ):
        assert extension.hub_words(other) is None


def test_a_kernel_puts_itself_and_its_children_first_for_the_oom_killer():
    code = (
        "import importlib.util, subprocess, sys\n"
        "spec = importlib.util.spec_from_file_location('k', sys.argv[1])\n"
        "k = importlib.util.module_from_spec(spec)\n"
        "spec.loader.exec_module(k)\n"
        "assert k.first_to_go()\n"
        "print(subprocess.run(['cat', '/proc/self/oom_score_adj'], capture_output=True, "
        "text=True).stdout.strip())\n"
    )
    extension_file = REPO_DIR / "deploy/image/kaggle_team_hub_kernel.py"
    child = subprocess.run(
        [sys.executable, "-c", code, str(extension_file)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(extension_file.parent)},
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == "1000"
