"""Every setting declared once: its name, what it does and its default.

The readers (``spawner.settings.environment``) take a setting's default from its
declaration, the settings' dataclasses take theirs from it, and the docs' tables of
settings are rendered from it (``spawner.settings.reference``).
"""

from dataclasses import dataclass

DECLARED = {}


@dataclass(frozen=True)
class Variable:
    """A setting. ``default`` is the value used when it is unset, as ``.env`` would give
    it (None: none, or one the reader derives); ``shown`` is the docs' default when it is
    not that plain value (derived from other settings, or with a remark). ``meaning`` is
    Markdown."""

    name: str
    meaning: str
    default: str | None = None
    shown: str = ""

    @property
    def default_cell(self):
        """The default as the docs' table shows it."""
        if self.shown:
            return self.shown
        return f"`{self.default}`" if self.default else "none"


def declare(*variables):
    """Record ``variables`` as the hub's settings; return them, in order."""
    for variable in variables:
        if variable.name in DECLARED:
            raise ValueError(f"{variable.name} is declared twice")
        DECLARED[variable.name] = variable
    return variables


def default_of(name):
    """The declared default of setting ``name`` ('' when it has none)."""
    return DECLARED[name].default or ""
