"""The settings' reference: every declared variable, by section, as the docs' tables.

python -m spawner.settings.reference   # the tables, as the README holds them
"""

from . import backups, hub, login, serving, swarm

# (the line before a section's table, its variables); the first follows the docs' own text.
SECTIONS = (
    ("", hub.VARIABLES),
    ("Scheduled backups (see [Backups on a schedule](#backups-on-a-schedule)):", backups.VARIABLES),
    ("Serving the team (see [Serve your team](#serve-your-team)):", serving.VARIABLES),
    (
        "On a swarm (see [Growing from one machine to a swarm]"
        "(#growing-from-one-machine-to-a-swarm)):",
        swarm.VARIABLES,
    ),
    ("Login (see [Logging in](#logging-in)):", login.VARIABLES),
)
NAMES = frozenset(variable.name for _, variables in SECTIONS for variable in variables)


def table(variables):
    """A Markdown table of ``variables``: name, default, meaning."""
    lines = ["| variable | default | meaning |", "| --- | --- | --- |"]
    lines += [f"| `{v.name}` | {v.default_cell} | {v.meaning} |" for v in variables]
    return "\n".join(lines)


def tables():
    """Every section's table, each after its line."""
    parts = []
    for line, variables in SECTIONS:
        parts += [line, table(variables)] if line else [table(variables)]
    return "\n\n".join(parts) + "\n"


if __name__ == "__main__":
    print(tables(), end="")
