"""Kaggle Team Hub: JupyterHub spawner for Kaggle's Python image."""

from ._version import __version__
from .server.machine import KaggleSpawner

__all__ = ["KaggleSpawner", "__version__"]
