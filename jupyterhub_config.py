# Kaggle Team Hub: JupyterHub configuration.
#
# Settings come from environment variables (and an optional .env file next to this one);
# the README lists every variable with its default. Site-specific changes go in
# jupyterhub_config.d/*.py, applied last in name order, so this file stays as shipped.
# What each setting becomes in JupyterHub's config is in spawner/configure/.
import sys
from pathlib import Path

from spawner.configure import configure
from spawner.errors import DockerUnreachable, SetupError
from spawner.settings.environment import SettingsError
from spawner.settings.hub import load

c = get_config()  # noqa: F821 (provided by JupyterHub)
# A setting, the machine or a login provider that keeps the hub from starting stops it
# with one line that says what to change.
try:
    configure(c, load(Path(__file__).resolve().parent))
except (SettingsError, SetupError, DockerUnreachable) as e:
    sys.exit(f"Not started: {e}")
