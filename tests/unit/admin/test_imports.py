"""What the kaggle-hub command imports before it runs a command: an admin waits on it."""

from ..imported import modules_after


def test_the_command_starts_without_jupyterhubs_and_the_spawners_stacks():
    # JupyterHub's database layer, the spawner and the proxy's library took 0.7 of the 0.8
    # CPU-seconds importing the command took, for any command; none of them runs here.
    loaded = modules_after("import spawner.admin.cli")
    assert "docker" in loaded
    heavy = {"sqlalchemy", "dockerspawner", "jupyterhub_traefik_proxy", "jupyterhub.app"}
    assert not heavy & set(loaded)
