"""Servers on the swarm that no hub record knows (the hub's state was lost or restored from
an older copy): the services are removed once the hub runs, their volumes kept."""

from datetime import datetime

import docker

from .. import engine
from ..server.container import LABEL_SERVER_NAME
from ..server.naming import LABEL_PREFIX


def created_at(service):
    """When ``service`` was created, as a Unix time (Docker gives nanoseconds)."""
    stamp = service.get("CreatedAt", "")
    if not stamp:
        return 0.0
    day, _, rest = stamp.rstrip("Z").partition(".")
    fraction = float(f"0.{rest}") if rest else 0.0
    return datetime.fromisoformat(f"{day}+00:00").timestamp() + fraction


def orphans(services, prefix, known, before):
    """Names of the services of hub ``prefix`` created before ``before`` whose server (its
    full escaped name, in a label) is not ``known``."""
    found = []
    for service in services:
        labels = service.get("Spec", {}).get("Labels") or {}
        server = labels.get(LABEL_SERVER_NAME)
        if labels.get(LABEL_PREFIX) != prefix or not server or server in known:
            continue
        if created_at(service) < before:
            found.append(service["Spec"]["Name"])
    return sorted(found)


def sweep(client_kwargs, prefix, known, before, log_dir):
    """Remove the orphaned services of hub ``prefix``; return their names. (Their logs go
    with them: ``docker service logs`` while they exist.)"""
    client = engine.connect(client_kwargs)
    services = client.services(filters={"label": f"{LABEL_PREFIX}={prefix}"})
    found = orphans(services, prefix, known, before)
    for name in found:
        try:
            client.remove_service(name)
        except docker.errors.NotFound:
            continue
    return found
