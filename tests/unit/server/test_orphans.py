"""Which containers are servers no hub record knows."""

from spawner.server import container as server_container
from spawner.server import naming, orphans


def container(name, created=100):
    """A container as a release before the labels made it: known by its name alone."""
    return {"Names": [f"/{name}"], "Created": created}


def labelled(prefix, user, server="", created=100):
    """A server's container as the spawner makes it: named, and labelled."""
    base = naming.server_base_name(prefix, user, server)
    return {
        "Names": [f"/{naming.container_name(prefix, user, server)}"],
        "Created": created,
        "Labels": server_container.labels(prefix, base),
    }


def test_only_the_hubs_unknown_servers_made_before_the_sweep_are_orphans():
    known = {naming.server_base_name("kth", "ann")}
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


def test_servers_with_shortened_names_are_known_by_their_label():
    long_known, long_lost = "é" * 100, "ü" * 100
    assert naming.container_name("kth", long_lost) != naming.server_base_name("kth", long_lost)
    known = {naming.server_base_name("kth", "ann"), naming.server_base_name("kth", long_known)}
    containers = [
        labelled("kth", "ann"),
        labelled("kth", long_known),
        labelled("kth", long_lost),  # shortened to a digest: its name alone says nothing
        labelled("kth", "eve", "x" * 200),
        labelled("kth", "cat", created=300),
        labelled("other", long_lost),  # another hub's, though its name starts alike
        {**container("kth-fake"), "Labels": {server_container.LABEL_PREFIX: "other"}},
    ]
    assert orphans.orphans(containers, "kth", known, before=200) == sorted(
        [
            naming.container_name("kth", long_lost),
            naming.container_name("kth", "eve", "x" * 200),
        ]
    )
