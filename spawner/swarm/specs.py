"""A user's server as a swarm service, in plain values: mounts, resources, placement and
the service's task template (docker-py types, no Docker I/O)."""

from docker.types import (
    ContainerSpec,
    DriverConfig,
    EndpointSpec,
    Mount,
    Placement,
    Resources,
    RestartPolicy,
    TaskTemplate,
)

from ..server import container, logs

# The generic resource a node advertises per GPU (dockerd's node-generic-resources).
GPU_RESOURCE = "NVIDIA-GPU"


class SpecError(ValueError):
    """A profile cannot be run on a swarm; the message names the profile and the fix."""


def node_constraint(node_id):
    """The constraint that keeps a server on the node that holds its working volume."""
    return f"node.id=={node_id}"


def nfs_driver(host, export, volume):
    """Docker's ``local`` driver mounting ``volume``'s own folder of an NFS export."""
    return DriverConfig(
        "local",
        {"type": "nfs", "o": f"addr={host},rw,nfsvers=4", "device": f":{export}/{volume}"},
    )


def mounts(binds, volume_options, shm_size):
    """Mounts for DockerSpawner's ``volume_binds``: named volumes as volumes (those in
    ``volume_options``, ``{name: (labels, driver or None)}``, created with those labels
    through that driver), host folders as binds, and a /dev/shm of ``shm_size`` bytes."""
    found = []
    for source, bind in binds.items():
        read_only = bind.get("mode") == "ro"
        if source.startswith("/"):
            found.append(Mount(bind["bind"], source, type="bind", read_only=read_only))
            continue
        labels, driver = volume_options.get(source, (None, None))
        found.append(
            Mount(
                bind["bind"],
                source,
                type="volume",
                read_only=read_only,
                labels=labels,
                driver_config=driver,
            )
        )
    found.append(Mount("/dev/shm", None, type="tmpfs", tmpfs_size=shm_size))
    return found


def gpu_resources(profile, resource=GPU_RESOURCE):
    """Swarm's generic resources for a profile's ``gpus``: one unit per GPU asked for (Swarm
    gives each task distinct units of a node's resource)."""
    if profile.gpus == "none":
        return None
    if profile.gpus == "all":
        raise SpecError(
            f"The profile {profile.name!r} asks for gpus='all', which a swarm cannot place: "
            "give the number of GPUs a server needs (e.g. gpus: 1), and label the nodes "
            f"that have them with the generic resource {resource}."
        )
    return {resource: profile.gpus if isinstance(profile.gpus, int) else len(profile.gpus)}


def resources(profile, mem_limit, cpu_limit, mem_guarantee=None, cpu_guarantee=None):
    """Limits from the profile and the bound on processes, reservations from the spawner's
    guarantees (Swarm places a server only on a node with the reservation free)."""
    found = Resources(
        cpu_limit=int(cpu_limit * 1e9) if cpu_limit else None,
        mem_limit=mem_limit or None,
        cpu_reservation=int(cpu_guarantee * 1e9) if cpu_guarantee else None,
        mem_reservation=mem_guarantee or None,
        generic_resources=gpu_resources(profile),
    )
    # Docker's API has the process limit for services; docker-py's Resources does not.
    found.setdefault("Limits", {})["Pids"] = container.PIDS_LIMIT
    return found


def placement(profile, node_id=None):
    """The profile's constraints, and the volume's node when the server is pinned to it."""
    constraints = list(profile.constraints)
    if node_id:
        constraints.append(node_constraint(node_id))
    return Placement(constraints=constraints or None)


def service(
    name,
    image,
    command,
    env,
    server_mounts,
    task_resources,
    task_placement,
    network,
    labels,
):
    """``create_service`` arguments for one user's server: one task, never restarted by
    Swarm (the hub notices a server that stopped and the user starts it again), reached by
    its name on ``network`` (DNS round robin: no virtual IP between hub and server)."""
    spec = ContainerSpec(
        image,
        args=command,
        env=env,
        mounts=server_mounts,
        cap_drop=list(container.CAP_DROP),
        # On the container too: the fence on its node (``fence``) knows servers by them.
        labels=labels,
    )
    template = TaskTemplate(
        spec,
        resources=task_resources,
        restart_policy=RestartPolicy(condition="none"),
        placement=task_placement,
        log_driver={"Name": logs.LOG_CONFIG["type"], "Options": logs.LOG_CONFIG["config"]},
        networks=[network],
    )
    return {
        "name": name,
        "task_template": template,
        "endpoint_spec": EndpointSpec(mode="dnsrr"),
        "labels": labels,
    }
