"""Which node of the swarm holds a server's files, as the swarm's nodes change."""


def current_id(node_id, hostname, nodes):
    """The id the machine of node ``node_id`` has among ``nodes`` (the swarm's, as Docker
    lists them): ``node_id`` while the swarm counts it up, else that of a ready node named
    ``hostname`` (the machine left and joined again, or joined a swarm made anew after the
    manager was lost); ``node_id`` while it is only down; None if the swarm has neither."""
    known = {n["ID"]: n for n in nodes}
    state = (known.get(node_id, {}).get("Status") or {}).get("State")
    if state not in (None, "down"):
        return node_id
    again = [
        n["ID"]
        for n in nodes
        if hostname
        and n["ID"] != node_id
        and n["Description"]["Hostname"] == hostname
        and n["Status"]["State"] == "ready"
    ]
    if again:
        return again[0]
    return node_id if state else None
