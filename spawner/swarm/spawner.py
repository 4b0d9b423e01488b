"""KaggleSwarmSpawner: each user's server a one-task service on a Docker Swarm.

Scheduling, placement, networking and the pulls on each node are Swarm's; what the server
runs, its volume layout, profiles, checks and messages are KaggleSpawnerBase's, as on one
machine.
"""

import asyncio
import time

import docker
from dockerspawner import SwarmSpawner
from traitlets import Integer, Unicode, default

from ..errors import SpawnError
from ..images import inventory, tags
from ..server import team, volumes
from ..server.base import KaggleSpawnerBase
from . import jobs, moves, network, nodes, specs, tasks

# How often a starting server's task is looked at.
TASK_POLL_SECONDS = 0.1
# How long a stop waits for this machine's containers of a removed service to go.
REMOVAL_SECONDS = 30


def _wait_containers_gone(client, service_id, timeout):
    """Wait until this machine runs no container of service ``service_id`` (its volume is
    in use until then), for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    label = f"com.docker.swarm.service.id={service_id}"
    while time.monotonic() < deadline:
        if not client.containers(all=True, filters={"label": label}):
            return True
        time.sleep(0.1)
    return False


def _smallest_node_memory(client):
    """Memory of the smallest node that takes servers (the default limit fits on any)."""
    sizes = [
        node["Description"]["Resources"]["MemoryBytes"]
        for node in client.nodes()
        if node.get("Spec", {}).get("Availability") == "active"
    ]
    return min(sizes) if sizes else client.info()["MemTotal"]


def _node_name(client, node_id):
    """The host name of node ``node_id`` ('' before Swarm has placed the task)."""
    if not node_id:
        return ""
    try:
        return client.inspect_node(node_id)["Description"]["Hostname"]
    except docker.errors.APIError:
        return node_id[:12]


def _local_volume_node(client, volume):
    """This node's id if it holds ``volume`` (a server started before this hub ran on a
    swarm, or by an earlier hub state), else ''."""
    if volumes.volume_info(client, volume) is None:
        return ""
    return client.info()["Swarm"]["NodeID"]


class KaggleSwarmSpawner(KaggleSpawnerBase, SwarmSpawner):
    """Spawns JupyterLab in Kaggle's Python image as a service on a Docker Swarm.

    Settings of ``c.KaggleSpawner`` apply as on one machine; the ones below are added.
    """

    nfs_host = Unicode(
        "",
        config=True,
        help="""
        Host of an NFS export that holds every working volume, one folder each, mounted by
        whichever node runs a server. Empty: a working volume is Docker's ``local`` volume
        on the node that first ran the server, and the server stays on that node. Filled
        in from KAGGLE_HUB_SWARM_NFS. Default: none.

            c.KaggleSwarmSpawner.nfs_host = "nfs.example.lan"
        """,
    )

    nfs_export = Unicode(
        "",
        config=True,
        help="""
        The exported folder on ``nfs_host``; each working volume is its subfolder named
        after the volume, which must exist before the server's first start. Default: none.

            c.KaggleSwarmSpawner.nfs_export = "/srv/kaggle-volumes"
        """,
    )

    schedule_seconds = Integer(
        30,
        config=True,
        help="""
        How long a server may wait for a node that fits its profile (constraints, GPUs,
        reservations, its volume's node) before the start fails naming the profile and
        what it asks for. Default: 30.

            c.KaggleSwarmSpawner.schedule_seconds = 120
        """,
    )

    node_id = Unicode(
        "",
        help="The node holding this server's local working volume (kept in the hub's state).",
    )

    node_name = Unicode(
        "",
        help="The host name of ``node_id``'s machine, by which a new id of it is found.",
    )

    @classmethod
    def section_names(cls):
        # A team's drop-ins set c.KaggleSpawner: they keep applying after the move to a
        # swarm (c.KaggleSwarmSpawner, for the swarm alone, wins over them).
        names = super().section_names()
        return [*names[:-1], "KaggleSpawner", names[-1]]

    @default("network_name")
    def _default_network_name(self):
        return "kaggle-team-hub"

    def load_state(self, state):
        super().load_state(state)
        self.node_id = state.get("node_id", "")
        self.node_name = state.get("node_name", "")

    def get_state(self):
        state = super().get_state()
        if self.node_id:
            state["node_id"] = self.node_id
        if self.node_name:
            state["node_name"] = self.node_name
        return state

    def _nfs_driver(self, volume):
        if not self.nfs_host:
            return None
        return specs.nfs_driver(self.nfs_host, self.nfs_export, volume)

    @property
    def _volume_options(self):
        """Labels and driver of the volumes a server's tasks create: its working volume,
        and the team folder (an NFS export's folder, the same one on every node)."""
        team_volume = team.volume_name(self.name_prefix)
        return {
            self.volume_name: (self._volume_labels, self._nfs_driver(self.volume_name)),
            team_volume: (team.labels(self.name_prefix), self._nfs_driver(team_volume)),
        }

    @property
    def _pinned_node(self):
        """The node the server must run on: its volume's, unless volumes are on NFS."""
        return "" if self.nfs_host else self.node_id

    async def machine_memory(self):
        return await self._in_executor(_smallest_node_memory, self.client)

    async def pull_image(self, image):
        """Each node pulls the image itself as Swarm starts a task there; the hub checks the
        image's jupyterhub when it has a copy of its own."""
        if self.check_jupyterhub_version and (
            await self._in_executor(inventory.image_id, self.client, image) is not None
        ):
            await self.check_image_version(image)

    async def start_server(self):
        if not await self._in_executor(network.attachable, self.client, self.network_name):
            raise SpawnError(network.not_attachable_message(self.network_name))
        if not self.node_id and not self.nfs_host:
            # Files from before the swarm are on this node: keep the server with them.
            self.node_id = await self._in_executor(
                _local_volume_node, self.client, self.volume_name
            )
        if not self.nfs_host:
            await self._take_move()
        if self._pinned_node and not await self._follow_node():
            await self._adopt_restored_volume()
        try:
            return await super().start_server()
        except Exception:
            # A service whose start failed would keep its name (and the next start's).
            if self.object_id:
                await self.remove_object()
            raise

    async def _take_move(self):
        """Run on the node ``kaggle-hub move`` copied the files to, if it did."""
        moved = await self._in_executor(moves.take, self.client, self.volume_name)
        if moved:
            self.log.warning(
                "%s: moved to node %s by kaggle-hub move (was %s)",
                self._log_name,
                moved[1],
                self.node_name or self.node_id[:12],
            )
            self.node_id, self.node_name = moved

    async def _follow_node(self):
        """Keep ``node_id`` on the machine that holds the volume, under the id it has in
        this swarm now; False if that machine is not in this swarm."""
        listed = await self._in_executor(self.client.nodes)
        found = nodes.current_id(self.node_id, self.node_name, listed)
        if found is None:
            return False
        if found != self.node_id:
            self.log.warning(
                "%s: its node %s is in this swarm again, as %s (was %s)",
                self._log_name,
                self.node_name,
                found[:12],
                self.node_id[:12],
            )
            self.node_id = found
        return True

    async def _adopt_restored_volume(self):
        """The server's machine is not in the swarm: run it on this node if its volume is
        here (restored from a backup set onto a new manager), else say which machine to
        bring back."""
        here = await self._in_executor(_local_volume_node, self.client, self.volume_name)
        gone = self.node_name or self.node_id[:12]
        if not here:
            raise SpawnError(tasks.node_gone_message(gone))
        self.log.warning(
            "%s: its node %s is not in this swarm; its volume %s is on this one, %s",
            self._log_name,
            gone,
            self.volume_name,
            here[:12],
        )
        self.node_id, self.node_name = here, ""

    async def remove_object(self):
        """Remove the service, and wait until its container here is gone: a quarantine
        or the next start on this node finds the volume free."""
        service_id = self.object_id
        await super().remove_object()
        await self._in_executor(_wait_containers_gone, self.client, service_id, REMOVAL_SECONDS)

    async def create_object(self):
        try:
            resources = specs.resources(
                self._profile,
                self.mem_limit,
                self.cpu_limit,
                self.mem_guarantee,
                self.cpu_guarantee,
            )
        except specs.SpecError as e:
            raise SpawnError(str(e)) from None
        service = specs.service(
            name=self.object_name,
            image=self.image,
            command=await self.get_command(),
            env=self.get_env(),
            server_mounts=specs.mounts(
                self.volume_binds, self._volume_options, self._profile.shm_size
            ),
            task_resources=resources,
            task_placement=specs.placement(self._profile, self._pinned_node),
            network=self.network_name,
            labels=self._server_labels,
        )
        self._progress.add(55, f"Creating service {self.object_name} from {self.image}")
        return await self._in_executor(lambda: self.client.create_service(**service))

    async def _task(self):
        found = await self._in_executor(
            lambda: self.client.tasks(filters={"service": self.object_id or self.object_name})
        )
        return tasks.latest(found)

    async def start_object(self):
        """Wait until the service's task runs, showing where it is; fail with the reason
        when it ends, or when no node fits it for ``schedule_seconds``."""
        began = time.monotonic()
        said = None
        while True:
            task = await self._task()
            state = tasks.state(task)
            if state == tasks.RUNNING:
                self.node_id = tasks.node_id(task)
                self.node_name = await self._in_executor(_node_name, self.client, self.node_id)
                return
            await self._raise_if_ended(task)
            reason = tasks.unschedulable(task)
            if reason and time.monotonic() - began > self.schedule_seconds:
                pinned = await self._in_executor(_node_name, self.client, self._pinned_node)
                raise SpawnError(
                    tasks.unschedulable_message(
                        self._profile, pinned, reason, self.schedule_seconds
                    )
                )
            if state != said and task is not None:
                name = await self._in_executor(_node_name, self.client, tasks.node_id(task))
                line = tasks.progress(task, name)
                if line:
                    self._progress.add(60, line)
                said = state
            await asyncio.sleep(TASK_POLL_SECONDS)

    async def get_ip_and_port(self):
        """The running task's own address on the servers' network. Its name would do, but
        for a moment after a server starts again Swarm's DNS may still answer it with the
        previous task's address too, and the proxy's first requests went there (502)."""
        address = tasks.address_on(await self._task(), self.network_name)
        return address or self.service_name, self.port

    async def _raise_if_ended(self, task):
        message = tasks.ended_message(task, self.image, tags.get_command(self.image))
        if message:
            raise SpawnError(message)

    async def _fail_if_exited(self):
        await self._raise_if_ended(await self._task())

    async def poll(self):
        """As on one machine; and a server whose node stopped answering is stopped (Swarm
        still reports its task running, as last seen)."""
        status = await super().poll()
        if status is not None or self._stop_pending or self._spawn_pending:
            return status
        task = await self._task()
        if not tasks.abandoned(task):
            return None
        node = await self._in_executor(_node_name, self.client, tasks.node_id(task))
        self.log.warning(
            "%s: its node %s stopped answering; marking it stopped", self._log_name, node
        )
        self._remember_stop(tasks.node_lost_reason(node))
        return f"node {node} lost"

    async def note_death(self):
        task = await self._task()
        if task is None:
            return
        self._remember_death({"ExitCode": tasks.exit_code(task)})

    async def delete_forever(self):
        """Quarantine (or remove) the working volume where the hub's engine holds it: on
        NFS the folder stays on the export for the admin."""
        if self.nfs_host:
            self.log.warning(
                "Server %s deleted: its files stay in %s:%s/%s",
                self._log_name,
                self.nfs_host,
                self.nfs_export,
                self.volume_name,
            )
            return
        if (
            self.node_id
            and await self._in_executor(volumes.volume_info, self.client, self.volume_name) is None
        ):
            await self._delete_on_node()
            return
        await super().delete_forever()

    async def _delete_on_node(self):
        """Quarantine (or empty) the working volume on the node that holds it, by a job
        there; a job that fails leaves the files where they are, and says so."""
        name = self.volume_name
        if not await self._follow_node():
            self.log.error(
                "Server %s deleted, but its volume %s stays on %s, which is not in this "
                "swarm: an admin moves or removes it there",
                self._log_name,
                name,
                self.node_name or self.node_id[:12],
            )
            return
        node = await self._in_executor(_node_name, self.client, self.node_id)
        if self.deleted_volumes == "remove":
            script, mounts, done = jobs.EMPTY, jobs.empty_mounts(name), "Emptied"
        else:
            target, labels = volumes.quarantined(name, self._volume_labels)
            script, mounts = jobs.QUARANTINE, jobs.quarantine_mounts(name, target, labels)
            done = f"Quarantined as {target}"
        began = time.monotonic()
        failed = await self._in_executor(
            jobs.run,
            self.client,
            self.name_prefix,
            self.node_id,
            self.image,
            script,
            mounts,
            self.schedule_seconds,
        )
        if failed:
            self.log.error(
                "Server %s deleted, but its volume %s on node %s was left as it was (%s): "
                "an admin moves or removes it there",
                self._log_name,
                name,
                node,
                failed,
            )
            return
        self.log.warning(
            "%s: volume %s of deleted server %s, on node %s (%.1f s)",
            done,
            name,
            self._log_name,
            node,
            time.monotonic() - began,
        )
