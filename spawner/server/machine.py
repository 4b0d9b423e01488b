"""KaggleSpawner: each user's server a container on this machine's Docker engine."""

import asyncio
import functools
import secrets
import time
from urllib.parse import urlparse, urlunparse

import docker
from jupyterhub.utils import url_escape_path, url_path_join
from traitlets import Integer, List, Unicode

from ..errors import DockerUnreachable, SpawnError
from ..images import inventory
from . import container, gpus, logs, networks, profiles, quotas, room, standby, team, volumes
from .base import KaggleSpawnerBase

# How long a stop waits for Docker to finish removing the container.
REMOVAL_SECONDS = 30
# How long a server left running by an earlier hub gets to stop before it is killed.
STOP_SECONDS = 5


def _wait_gone(client, container, timeout):
    """Wait until ``container`` no longer exists, for at most ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            client.inspect_container(container)
        except docker.errors.NotFound:
            return True
        time.sleep(0.05)
    return False


def _start_failure(client, container):
    """``(state, last log lines)`` of a starting ``container`` that cannot become ready
    (it exited, or it cannot reach the hub's API), else None."""
    try:
        state = client.inspect_container(container)["State"]
    except docker.errors.NotFound:
        return {"ExitCode": None}, ""
    if state.get("Status") == "created":
        return None
    tail = client.logs(container, tail=logs.START_LOG_LINES).decode("utf-8", "replace")
    if state.get("Running") and logs.HUB_UNREACHABLE not in tail:
        return None
    return state, tail


@functools.cache
def _machine_memory(client):
    """The memory of the machine Docker runs on, asked once (7 ms each time)."""
    return client.info()["MemTotal"]


def _running(client, container):
    try:
        return client.inspect_container(container)["State"]["Running"]
    except docker.errors.NotFound:
        return False


class KaggleSpawner(KaggleSpawnerBase):
    """Spawns JupyterLab in Kaggle's Python image as a container on this machine.

    Plain ``c.DockerSpawner.*`` settings keep working; the settings added (``c.KaggleSpawner``)
    are KaggleSpawnerBase's, shared with KaggleSwarmSpawner.
    """

    async def machine_memory(self):
        return await self._in_executor(_machine_memory, self.client)

    min_free_disk = Integer(
        2 * 1024**3,
        config=True,
        help="""Bytes that must stay free on the disk of Docker's root folder for a server
        to start (0: no check). Below it a start is refused with the reason, rather than
        failing in Docker with a full disk. Checked when that folder is on the hub's machine.""",
    )

    gpu_devices = List(
        Unicode(),
        default_value=None,
        allow_none=True,
        config=True,
        help="""The GPUs servers are given, by device id (e.g. ["0", "1"]); None: those
        nvidia-smi lists on the hub's machine. A profile's ``gpus`` count takes free ones
        from these.""",
    )

    disk_quota = Integer(
        0,
        config=True,
        help="""Bytes each new working volume may hold (0: no quota). A volume made with a
        quota is a filesystem of its own, so a write past it fails for that member alone;
        raising it grows existing volumes at their next start.""",
    )

    quota_folder = Unicode(
        "/var/lib/kaggle-team-hub/quotas",
        config=True,
        help="""Folder on the hub's machine holding the filesystems of volumes with a quota
        (one sparse file each, taking only what is written).""",
    )

    standby_max = Integer(
        None,
        allow_none=True,
        config=True,
        help="""Standbys kept at once: containers made for a member's next start when their
        server stops, whose JupyterLab has already imported everything, so that start takes
        a fraction of a cold one (0: none). None: as many as a quarter of the memory available
        at the hub's start holds, at 256 MB each. Servers with GPUs always start cold.""",
    )

    # Standbys may take this many at most (standby_max, or worked out once from memory).
    _standby_most = None
    # Standbys being made, by name: JupyterHub drops a stopped server's spawner object, so
    # the next start, a deletion or a rename finds the making here, not on that object.
    _standbys_making = {}

    def _quota(self):
        return quotas.Quota(self.quota_folder, self.disk_quota) if self.disk_quota else None

    gpus_per_user = Integer(
        0,
        config=True,
        help="""GPUs one user's servers may hold at once (0: no limit).""",
    )

    async def start_server(self):
        """Make sure there is room, and the network and the working volume exist, then start
        the container. A standby being made for this server (at the hub's start) is waited
        for first: the volume's checks see it, and remove it if the volume must grow."""
        await self._standby_made()
        await self._in_executor(room.check, self.client, self.min_free_disk)
        await self._in_executor(
            networks.ensure, self.client, self.network_name, self.network_internal
        )
        try:
            created = await self._in_executor(
                volumes.ensure_volume,
                self.client,
                self.volume_name,
                self._volume_labels,
                self._quota(),
            )
        except quotas.QuotaError as e:
            raise SpawnError(f"Your working volume could not be made ready: {e}") from e
        use = await self._in_executor(quotas.volume_use, self.client, self.volume_name)
        if use is not None and use.nearly_full:
            self.log.warning("Volume %s is nearly full: %s", self.volume_name, use.text())
            self._progress.add(
                20,
                f"Your files take {use.text()} of your quota: delete what you no longer "
                "need, or ask an admin for more room",
            )
        try:
            return await super().start_server()
        except Exception:
            # A first start that fails leaves nothing behind: not even an empty volume.
            if created and await self._in_executor(
                volumes.remove_if_unused, self.client, self.volume_name
            ):
                self.log.info("Removed the new volume %s of a failed start", self.volume_name)
            raise

    async def note_death(self):
        """Remember why the running container died, for the user's next page."""
        try:
            state = await self._in_executor(self.client.inspect_container, self.container_id)
        except docker.errors.NotFound:
            return
        self._remember_death(state["State"])

    async def _fail_if_exited(self):
        """Raise SpawnError with the reason if the starting container cannot become ready."""
        found = await self._in_executor(_start_failure, self.client, self.container_id)
        if found is None:
            return
        state, tail = found
        command = f"kaggle-hub logs {self.user.name}" + (
            f" --server {self.name}" if self.name else ""
        )
        raise SpawnError(logs.exit_message(state, tail, self.mem_limit, command))

    async def start_object(self):
        if self.__dict__.pop("_woken", False):
            return
        self._progress.add(60, "Starting container")
        try:
            return await super().start_object()
        except docker.errors.APIError as e:
            if self._profile.gpus == "none" or "device driver" not in str(e):
                raise
            raise SpawnError(
                profiles.gpu_unavailable_message(self._profile, e.explanation or str(e))
            ) from e

    async def create_object(self):
        """Create the container (and the team folder's volume, with its labels, when this
        is the first server to mount it); one with GPUs gets free devices, chosen while no
        other start of this hub chooses."""
        if self.team_folder:
            await self._in_executor(
                volumes.ensure_volume,
                self.client,
                team.volume_name(self.name_prefix),
                team.labels(self.name_prefix),
            )
        if self._profile.gpus == "none":
            return await self._create([])
        async with gpus.ALLOCATING:
            ids = await self._in_executor(self._free_gpus)
            if ids:
                self.log.info("%s gets GPU %s", self._log_name, ",".join(ids))
                self._progress.add(52, f"Giving your server GPU {', '.join(ids)}")
            return await self._create(gpus.device_requests(ids))

    def _free_gpus(self):
        devices = gpus.pool(self.gpu_devices)
        held = gpus.holdings(self.client, self.name_prefix, devices)
        return gpus.choose(
            self._profile.gpus,
            devices,
            held,
            self.user.name,
            self.gpus_per_user,
            self._profile.name,
        )

    async def _create(self, device_requests, step=None):
        configured, configured_create = self.extra_host_config, self.extra_create_kwargs
        extra = await self._evaluated(configured)
        extra_create = await self._evaluated(configured_create)
        # Our host settings are defaults: c.DockerSpawner.extra_host_config wins.
        self.extra_host_config = {
            # The spawner removes the container when the server stops (remove=True), after
            # keeping its log; Docker's auto-remove would take the log of a server that
            # died on its own with it.
            "auto_remove": False,
            # Docker's init is PID 1 and passes a stop's SIGTERM on: a server still starting
            # (no handler yet) ends at once, where as PID 1 it would ignore the signal and
            # the stop would wait 10 s for Docker's SIGKILL.
            "init": True,
            "log_config": logs.LOG_CONFIG,
            **container.safety_host_config(),
            "shm_size": self._profile.shm_size,
            **({"device_requests": device_requests} if device_requests else {}),
            **extra,
        }
        self.extra_create_kwargs = {
            **extra_create,
            "labels": {
                **self._server_labels,
                **extra_create.get("labels", {}),
            },
        }
        self._create_step = step or self._create_container
        creating = asyncio.ensure_future(super().create_object())
        try:
            return await asyncio.shield(creating)
        except asyncio.CancelledError:
            # A stop came while Docker was creating the container: it is removed once made,
            # or it would stay behind, created and never started.
            creating.add_done_callback(self._remove_abandoned)
            raise
        finally:
            self.extra_host_config = configured
            self.extra_create_kwargs = configured_create
            self._create_step = None

    # DockerSpawner.create_object builds the container's arguments and ends in a
    # create_container call: while _create runs, that call goes to this step instead.
    _create_step = None

    def docker(self, method, *args, **kwargs):
        if method == "create_container" and self._create_step is not None:
            return asyncio.ensure_future(self._create_step(kwargs))
        return super().docker(method, *args, **kwargs)

    async def _create_container(self, kwargs):
        """Wake the server's standby if it was made for exactly this start, else create."""
        if self._standby_on():
            woken = await self._wake(kwargs)
            if woken is not None:
                return woken
        if self._standby_limit() > 0:
            removed = await self._in_executor(
                standby.relieve, self.client, self.name_prefix, standby.memory()
            )
            for name in removed:
                self.log.info("Removed standby %s: the machine is short of memory", name)
        self._progress.add(55, f"Creating container {self.object_name} from {self.image}")
        return await super().docker("create_container", **kwargs)

    def _standby_on(self):
        profile = getattr(self, "_profile", None)
        return profile is not None and profile.gpus == "none" and self._standby_limit() > 0

    def _standby_limit(self):
        cls = self.__class__
        if cls._standby_most is None:
            cls._standby_most = (
                standby.default_most(standby.memory()[1])
                if self.standby_max is None
                else self.standby_max
            )
        return cls._standby_most

    async def _wake(self, kwargs):
        """The created container's ``{"Id": ...}`` if this server's standby took this
        start, else None (having removed a standby that could not)."""
        await self._standby_made()
        token = self.api_token
        try:
            standby_kwargs, digest = standby.arguments(kwargs, token)
        except ValueError:
            return None
        image_id = await self._in_executor(inventory.image_id, self.client, self.image)
        found, why = await self._in_executor(
            standby.claim, self.client, standby_kwargs["name"], digest, image_id
        )
        if found is None:
            if why:
                self.log.info("%s starts cold: its standby was removed, %s", self._log_name, why)
            return None
        self._progress.add(55, "Waking your server")
        values = standby.wake_values(kwargs["environment"], token)
        try:
            took = await self._in_executor(standby.wake, self.client, found, kwargs["name"], values)
        except docker.errors.APIError as e:
            self.log.warning("%s: its standby could not be woken: %s", self._log_name, e)
            took = False
        if not took:
            self.log.warning("%s starts cold: its standby did not take the start", self._log_name)
            await self._in_executor(standby.remove, self.client, found)
            return None
        self.log.info("%s woke its standby", self._log_name)
        self._woken = True
        return {"Id": found}

    def start_polling(self):
        # A server that started (or ran when the hub started) may get a standby at its stop.
        self._served = True
        super().start_polling()

    async def stop(self, now=False):
        """Stop the server; one that served, without GPUs, gets a standby for its next
        start, made in the background."""
        arguments = None
        if self.__dict__.pop("_served", False) and self._standby_on() and self.api_token:
            try:
                arguments = await self._create([], step=self._standby_arguments)
            except ValueError as e:
                self.log.info("No standby for %s: %s", self._log_name, e)
        await super().stop(now)
        if arguments is not None:
            making = asyncio.ensure_future(self._make_standby(arguments[0]))
            self._standbys_making[standby.name(self.object_name)] = making

    async def _standby_arguments(self, kwargs):
        return standby.arguments(kwargs, self.api_token)

    # The URL prefix a stopped server's next start gives it (JupyterHub sets it from the
    # server record the start makes); set only on a spawner object made to prepare a standby.
    _next_prefix = None

    def get_env(self):
        env = super().get_env()
        if self._next_prefix is not None and self.server is None:
            env["JUPYTERHUB_SERVICE_PREFIX"] = self._next_prefix
            url = urlparse(env["JUPYTERHUB_SERVICE_URL"])
            env["JUPYTERHUB_SERVICE_URL"] = urlunparse(url._replace(path=self._next_prefix))
        return env

    async def prepare_standby(self):
        """At the hub's start, for a stopped server: make its standby for a start with the
        options it last used, unless one made for exactly that start waits. Called on a
        spawner object of its own (``User._new_spawner``), not the one JupyterHub starts
        servers with; a start meanwhile waits for it. Whether a standby waits after."""
        making = asyncio.ensure_future(self._prepare_standby())
        self._standbys_making[standby.name(self.object_name)] = making
        return await making

    async def _prepare_standby(self):
        try:
            profile, image = self._chosen_profile()
        except profiles.OptionsError as e:
            self.log.info("No standby for %s: %s", self._log_name, e)
            return False
        await self._apply_profile(profile, image)
        if not self._standby_on():
            return False
        # Stands for the next start's token: the entries that carry it are left out.
        self.api_token = secrets.token_hex(16)
        self._next_prefix = url_path_join(self.user.base_url, url_escape_path(self.name), "/")
        try:
            kwargs, digest = await self._create([], step=self._standby_arguments)
        except ValueError as e:
            self.log.info("No standby for %s: %s", self._log_name, e)
            return False
        image_id = await self._in_executor(inventory.image_id, self.client, self.image)
        if self._own_start_began():
            self.log.info("No standby for %s: it is starting", self._log_name)
            return False
        found, _ = await self._in_executor(
            standby.claim, self.client, kwargs["name"], digest, image_id
        )
        return found is not None or await self._make_standby(kwargs)

    def _own_start_began(self):
        """Whether the server this spawner object prepares a standby for has begun a start
        (or runs): its volume is the start's to check, grow and mount, so no standby is made
        on it meanwhile."""
        own = self.user.spawners.get(self.name)
        return own is not None and bool(own.pending or own.active)

    async def _make_standby(self, kwargs):
        try:
            admitted, removed = await self._in_executor(
                standby.admit,
                self.client,
                self.name_prefix,
                self._standby_limit(),
                standby.memory(),
            )
            for name in removed:
                self.log.info("Removed standby %s to make room for another", name)
            if not admitted:
                self.log.info("No standby for %s: too little memory free", self._log_name)
                return False
            await self._in_executor(standby.make, self.client, kwargs)
            self.log.info("Made a standby for %s", self._log_name)
            return True
        except (docker.errors.DockerException, DockerUnreachable, OSError) as e:
            self.log.warning("Could not make a standby for %s: %s", self._log_name, e)
            return False

    async def _standby_made(self):
        """Wait for this server's standby being made, if it is."""
        making = self._standbys_making.pop(standby.name(self.object_name), None)
        if making is not None:
            await making

    async def drop_standby(self):
        """Remove the server's standby (and wait for one being made)."""
        await self._standby_made()
        if await self._in_executor(standby.remove, self.client, standby.name(self.object_name)):
            self.log.info("Removed the standby of %s", self._log_name)

    async def delete_forever(self):
        await self.drop_standby()
        await super().delete_forever()

    async def move_files_to(self, new_user):
        await self.drop_standby()
        await super().move_files_to(new_user)

    def _remove_abandoned(self, creating):
        if creating.cancelled() or creating.exception() is not None:
            return
        container = creating.result()[self.object_id_key]
        self.log.info("Removing container %s, created for a start that was stopped", container)
        self._submit(self.client.remove_container, container, force=True)

    def _keep_log(self, container):
        try:
            state = self.client.inspect_container(container)["State"]
            text = self.client.logs(container, tail=logs.TAIL_LINES).decode("utf-8", "replace")
        except docker.errors.NotFound:
            return
        ended = logs.finished_at(state)
        logs.keep(self.log_dir, self.object_name, text, logs.run_status(state), now=ended)

    async def remove_object(self):
        """Keep the container's log, remove the container, and wait until Docker has: a
        removal already under way (Docker's 409) otherwise lets the next start collide
        with the old container."""
        container = self.object_id or self.object_name
        # A container still running here was left by a hub that lost its state (a wiped
        # data dir, an older database): Docker refuses to remove it until it stops.
        if await self._in_executor(_running, self.client, container):
            self.log.warning("Stopping %s, left running by an earlier hub", container)
            await self.docker("stop", container, timeout=STOP_SECONDS)
        if self.log_dir:
            await self._in_executor(self._keep_log, container)
        await super().remove_object()
        await self._in_executor(_wait_gone, self.client, container, REMOVAL_SECONDS)
