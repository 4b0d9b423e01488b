"""Which containers are servers no hub record knows."""

from spawner.server import naming, orphans


def container(name, created=100):
    return {"Names": [f"/{name}"], "Created": created}


def test_only_the_hubs_unknown_servers_made_before_the_sweep_are_orphans():
    known = {naming.container_name("kth", "ann")}
    containers = [
        container(naming.container_name("kth", "ann")),  # a server the hub knows
        container(naming.container_name("kth", "bob")),  # left by a lost state
        container(naming.container_name("kth", "bob", "gpu")),
        container(naming.container_name("kth", "cat"), created=300),  # made after the sweep began
        container(naming.container_name("other", "dan")),  # another hub's
        container("kth-team-hub-helper"),  # not a server name of this hub
        container("registry"),
    ]
    assert orphans.orphans(containers, "kth", known, before=200) == [
        naming.container_name("kth", "bob"),
        naming.container_name("kth", "bob", "gpu"),
    ]
