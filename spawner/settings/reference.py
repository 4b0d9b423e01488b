"""The settings' reference: every declared variable, by section, as the tables of the docs'
settings page (``docs/conf.py`` puts them there)."""

from . import backups, hub, login, serving, swarm

# (the line before a section's table, its variables); the first follows the docs' own text.
SECTIONS = (
    ("", hub.VARIABLES),
    ("Scheduled backups (see [Backups on a schedule](../howto/backups.md)):", backups.VARIABLES),
    (
        "Serving the team (see [Serve your team](../tutorial.md#serve-your-team)):",
        serving.VARIABLES,
    ),
    (
        "On a swarm (see [Growing from one machine to a swarm](../howto/swarm.md)):",
        swarm.VARIABLES,
    ),
    ("Login (see [Logging in](../howto/logins.md)):", login.VARIABLES),
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
