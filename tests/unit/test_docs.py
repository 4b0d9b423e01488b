"""The documentation site builds, warnings as errors, by the README's own command line."""

import re
import shlex
import subprocess

from spawner.settings.environment import REPO_DIR
from spawner.settings.reference import NAMES as DECLARED

README = (REPO_DIR / "README.md").read_text()
(BUILD,) = re.findall(r"^\.venv/bin/sphinx-build .*$", README, re.M)


def test_the_docs_build_without_a_warning_and_hold_the_reference_pages():
    done = subprocess.run(
        shlex.split(BUILD), cwd=REPO_DIR, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    site = REPO_DIR / shlex.split(BUILD)[-1]
    settings = (site / "reference/settings.html").read_text()
    assert [name for name in DECLARED if f'<span class="pre">{name}</span>' not in settings] == []
    assert "tables -->" not in settings
    assert "datasets" in (site / "reference/cli.html").read_text()
    assert "c.KaggleSpawner.disk_quota" in (site / "reference/spawner.html").read_text()
    assert 'id="serve-your-team"' in (site / "tutorial.html").read_text()
