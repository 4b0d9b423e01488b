"""Kaggle Team Hub: JupyterHub spawner for Kaggle's Python image."""

from ._version import __version__

__all__ = ["KaggleSpawner", "__version__"]


def __getattr__(name):
    # The spawner brings JupyterHub's and DockerSpawner's stacks with it: imported when
    # asked for (by JupyterHub, through the entry point), not by every module of the
    # package, so that the kaggle-hub command starts without them.
    if name == "KaggleSpawner":
        from .server.machine import KaggleSpawner

        return KaggleSpawner
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
