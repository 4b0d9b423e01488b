"""What the kaggle-hub command imports before it runs a command: an admin waits on it."""

import subprocess
import sys


def test_the_command_starts_without_jupyterhubs_and_the_spawners_stacks():
    # JupyterHub's database layer, the spawner and the proxy's library took 0.7 of the 0.8
    # CPU-seconds importing the command took, for any command; none of them runs here.
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, spawner.admin.cli; print(*sys.modules, sep='\\n')"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "docker" in loaded
    assert not {"sqlalchemy", "dockerspawner", "jupyterhub_traefik_proxy", "jupyterhub.app"} & {
        *loaded
    }
