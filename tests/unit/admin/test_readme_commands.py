"""Every kaggle-hub command line the README and the docs show is one the command accepts,
meaning what they say it means."""

import re
import shlex

import pytest

from spawner.admin.cli import COMMANDS, parse
from spawner.settings.environment import REPO_DIR

PAGES = [REPO_DIR / "README.md", *sorted((REPO_DIR / "docs").rglob("*.md"))]
README = "\n".join(path.read_text() for path in PAGES)
# In code blocks: '.venv/bin/kaggle-hub ARGS   # comment'; in the text: `kaggle-hub ARGS`.
BLOCK_LINES = re.findall(r"^\.venv/bin/kaggle-hub ([^#\n]*)", README, re.M)
INLINE = re.findall(r"`kaggle-hub ([^`]*)`", README)
LINES = sorted({line.strip() for line in BLOCK_LINES + INLINE})


def test_the_readme_shows_every_admin_command():
    commands = {shlex.split(line)[0] for line in LINES}
    assert commands == set(COMMANDS)


@pytest.mark.parametrize("line", LINES)
def test_each_command_line_of_the_readme_is_accepted(line):
    parse(shlex.split(line.replace("USER", "ann")))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("restore ann --server gpu FILE", {"user": "ann", "server": "gpu", "file": "FILE"}),
        ("restore ann FILE", {"user": "ann", "server": "", "file": "FILE"}),
        ("backup --hub --list", {"hub": True, "list": True}),
        (
            "restore --hub /var/lib/kaggle-team-hub/backups/hub-20261125T010000Z.tar.gz",
            {"hub": True, "user": "/var/lib/kaggle-team-hub/backups/hub-20261125T010000Z.tar.gz"},
        ),
        (
            "datasets add heptapod/titanic-extra/versions/3",
            {"action": "add", "handle": "heptapod/titanic-extra/versions/3"},
        ),
        ("datasets list", {"action": "list", "handle": None}),
    ],
)
def test_the_documented_forms_mean_what_the_readme_says(line, expected):
    assert line in LINES
    args = vars(parse(shlex.split(line)))
    assert {key: args[key] for key in expected} == expected
