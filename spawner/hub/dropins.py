"""Applying ``jupyterhub_config.d/*.py`` after the main configuration."""

from pathlib import Path


def dropin_files(directory):
    """The drop-in files of ``directory``, in name order (none if it does not exist)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("*.py") if p.is_file())


def apply_dropins(c, directory):
    """Run each drop-in with ``c`` (the hub's config) in scope; return the files applied."""
    applied = []
    for path in dropin_files(directory):
        code = compile(path.read_text(), str(path), "exec")
        exec(code, {"c": c, "__file__": str(path), "__name__": "__dropin__"})
        applied.append(path)
    return applied
