"""What Kaggle Team Hub's spawners share, on one machine and on a swarm: settings, profiles,
names, the server's command and environment, image checks and the start's progress."""

import asyncio
import inspect
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import docker
import jupyterhub
from dockerspawner import DockerSpawner
from sqlalchemy.orm import object_session
from traitlets import Bool, Dict, Enum, Float, Integer, List, Unicode, default, validate

from .. import engine
from ..errors import (
    DockerUnreachable,
    SpawnError,
    image_missing_message,
    pull_stalled_message,
    version_mismatch_message,
)
from ..images import inventory, probe, pulls, tags
from ..sizes import human_size, parse_size
from . import (
    container,
    datasets,
    deaths,
    hangs,
    layout,
    leaving,
    logs,
    naming,
    profiles,
    readiness,
    team,
    volumes,
)
from .progress import ProgressLog

_CLIENT_LOCK = threading.Lock()
# How long a stop waits for the Docker calls of the start it cancelled (a create, a start).
SETTLE_SECONDS = 60


def _form_for(spawner):
    """The spawn page's choice among the profiles open to the server's owner."""
    return profiles.render_form(profiles.offered(spawner.profile_choices, spawner.group_names()))


def _options_applied_in_start(spawner, user_options):
    """JupyterHub's apply_user_options hook: start() does the work."""


class KaggleSpawnerBase(DockerSpawner):
    """JupyterLab in Kaggle's Python image (or an image of the same shape), one working
    volume per server. KaggleSpawner runs it as a container, KaggleSwarmSpawner as a swarm
    service; settings in ``c.KaggleSpawner`` apply to both.

    Plain ``c.DockerSpawner.*`` settings keep working; the settings below are added.
    """

    name_prefix = Unicode(
        naming.DEFAULT_PREFIX,
        config=True,
        help="""
        Prefix of the container and volume names of every user server.

        Names are ``{prefix}-{user}`` and ``{prefix}-{user}--{server}`` with both names
        escaped injectively; volumes add ``-work``. Default: ``kaggle``.

            c.KaggleSpawner.name_prefix = "kaggle"
        """,
    )

    shm_size = Unicode(
        container.SHM_SIZE,
        config=True,
        help=f"""
        Size of ``/dev/shm`` in user containers. Docker's 64 MB default breaks PyTorch
        DataLoader workers. Default: ``{container.SHM_SIZE}``.

            c.KaggleSpawner.shm_size = "8g"
        """,
    )

    check_jupyterhub_version = Bool(
        True,
        config=True,
        help="""
        Refuse to start a server whose image has a jupyterhub version other than the hub's,
        with a message naming both. Checked once per image id. Default: True.

            c.KaggleSpawner.check_jupyterhub_version = False
        """,
    )

    auth_cache_seconds = Integer(
        1,
        config=True,
        help="""
        How long a user's server may trust the hub's answer about a login, in seconds. With
        1, logging out or deleting a user ends access to their server within a second;
        jupyter-server's own default is 300 s, and 0 there means forever, so it is not
        allowed here. Default: 1.

            c.KaggleSpawner.auth_cache_seconds = 30
        """,
    )

    profiles = List(
        Dict(),
        config=True,
        help="""
        Server profiles users choose from on the spawn page, or with the ``profile``
        user option over the REST API. Each is a dict with ``name`` and optionally
        ``description``, ``image``, ``cpu_limit``, ``mem_limit``, ``shm_size``, ``gpus``
        (``"none"``, ``"all"`` or a list of device ids) and ``default``; unset values take
        this spawner's own settings. Default: one profile from those settings, and no
        form. For example::

            c.KaggleSpawner.profiles = [
                {"name": "cpu", "cpu_limit": 4, "mem_limit": "16G", "default": True},
                {"name": "gpu", "cpu_limit": 8, "mem_limit": "64G", "gpus": "all"},
            ]
        """,
    )

    datasets_dir = Unicode(
        "",
        config=True,
        help="""
        Host directory of the team's shared data, read-only in every server: Kaggle's
        ``competitions/<slug>/`` and ``datasets/<owner>/<slug>/`` (at
        ``/kaggle/input/competitions/...`` and ``/kaggle/input/datasets/...``, live), and
        each dataset and plain ``<name>/`` folder at ``/kaggle/input/<name>/`` too, as at
        the server's start. kagglehub's downloads are answered from it. Default: none.

            c.KaggleSpawner.datasets_dir = "/srv/kaggle-datasets"
        """,
    )

    team_folder = Unicode(
        "team",
        config=True,
        help="""
        Name of the team folder in every server's working tree (``/tmp/working/team``):
        one volume, ``<prefix>-team``, every member reads and writes, with each file's
        maker kept on record. Empty: no team folder. Default: ``team``.

            c.KaggleSpawner.team_folder = "shared"
        """,
    )

    team_read_only_group = Unicode(
        "",
        config=True,
        help="""
        Hub group whose members see the team folder read-only (an admin sets hub groups,
        or the login's groups fill them). Default: none.

            c.KaggleSpawner.team_read_only_group = "guests"
        """,
    )

    network_internal = Bool(
        False,
        config=True,
        help="""
        Whether the user network, when a spawn has to create it, is internal (no route out
        of the machine). Filled in by jupyterhub_config.py from KAGGLE_HUB_NETWORK_INTERNAL.
        Default: False.

            c.KaggleSpawner.network_internal = True
        """,
    )

    deleted_volumes = Enum(
        ["quarantine", "remove"],
        "quarantine",
        config=True,
        help="""
        What happens to a server's working volume when its user (or the named server) is
        deleted: ``quarantine`` moves it to ``<name>-deleted-<time>``, listed by
        ``kaggle-hub volumes`` and restorable, so a new account with the same name starts
        empty; ``remove`` deletes it. Default: ``quarantine``.

            c.KaggleSpawner.deleted_volumes = "remove"
        """,
    )

    pull_stall_seconds = Integer(
        pulls.PULL_STALL_SECONDS,
        config=True,
        help=f"""
        A pull that receives nothing from the registry for this many seconds fails with a
        message, instead of holding the spawn until the start timeout.
        Default: {pulls.PULL_STALL_SECONDS}.

            c.KaggleSpawner.pull_stall_seconds = 300
        """,
    )

    docker_threads = Integer(
        8,
        config=True,
        help="""
        Threads that make Docker calls for starts, stops and status checks, shared by all
        users (stock DockerSpawner has one, so one slow call holds up everyone). Pulls run
        on threads of their own. Default: 8.

            c.KaggleSpawner.docker_threads = 16
        """,
    )

    ready_poll_seconds = Float(
        0.05,
        config=True,
        help="""
        How often a starting server is asked whether it answers yet. The spawn is handed
        to the hub as soon as it does, so the hub's own back-off (0.2, 0.4, 0.8 s ...)
        adds nothing. Default: 0.05.

            c.KaggleSpawner.ready_poll_seconds = 0.1
        """,
    )

    log_dir = Unicode(
        "",
        config=True,
        help="""
        Folder where a server's log is kept when its container is removed (the last lines
        of each run, at most 1 MB per server), read with ``kaggle-hub logs USER``. Default:
        none (logs go with the container).

            c.KaggleSpawner.log_dir = "/var/lib/kaggle-team-hub/logs/servers"
        """,
    )

    activity_interval = Integer(
        300,
        config=True,
        help="""
        Seconds between a server's reports of its users' activity to the hub (what the
        idle culler reads). jupyterhub_config.py sets a third of the culler's timeout when
        that is under JupyterHub's 300 s. Default: 300.

            c.KaggleSpawner.activity_interval = 60
        """,
    )

    _docker_executor = None
    # What the running server mounts of the shared datasets (datasets.prepare), kept in the
    # spawner's state so that kagglehub's attach can tell a server that cannot see them.
    datasets_mounted = None

    @validate("name_prefix")
    def _validate_name_prefix(self, proposal):
        try:
            return naming.check_prefix(proposal.value)
        except ValueError as e:
            raise ValueError(f"c.KaggleSpawner.name_prefix: {e}") from None

    @validate("shm_size")
    def _validate_shm_size(self, proposal):
        try:
            parse_size(proposal.value)
        except ValueError:
            raise ValueError(
                f"c.KaggleSpawner.shm_size = {proposal.value!r} is not a size: use e.g. "
                "'2g' or '512m'."
            ) from None
        return proposal.value

    @validate("auth_cache_seconds")
    def _validate_auth_cache_seconds(self, proposal):
        if proposal.value < 1:
            raise ValueError(
                f"c.KaggleSpawner.auth_cache_seconds = {proposal.value!r}: use 1 or more "
                "seconds (the single-user server reads 0 as 'cache forever')."
            )
        return proposal.value

    @validate("profiles")
    def _validate_profiles(self, proposal):
        try:
            profiles.parse(proposal.value, "image", container.SHM_SIZE)
        except ValueError as e:
            raise ValueError(f"c.KaggleSpawner.profiles: {e}") from None
        return proposal.value

    @property
    def profile_choices(self):
        """The profiles offered, with this spawner's settings filled in (as configured:
        DockerSpawner changes ``image`` and the limits at each start)."""
        if not hasattr(self, "_profile_choices"):
            self._profile_choices = profiles.parse(
                self.profiles,
                self.image,
                self.shm_size,
                self.mem_limit or None,
                self.cpu_limit or None,
            )
        return self._profile_choices

    def group_names(self):
        """The hub groups of the server's owner: they open profiles kept for a group."""
        return [group.name for group in self.user.groups]

    @default("options_form")
    def _default_options_form(self):
        return _form_for

    @default("options_from_form")
    def _default_options_from_form(self):
        return profiles.options_from_form

    @default("apply_user_options")
    def _default_apply_user_options(self):
        # start() checks and applies the options (profiles.select), answering a bad choice
        # with its own message; this tells the hub that they are handled.
        return _options_applied_in_start

    @default("start_timeout")
    def _default_start_timeout(self):
        # A first pull of Kaggle's image (about 20 GB) takes many minutes; a pull that
        # stops moving fails after pull_stall_seconds instead.
        return 3600

    @property
    def executor(self):
        cls = self.__class__
        if cls._docker_executor is None:
            cls._docker_executor = ThreadPoolExecutor(
                self.docker_threads, thread_name_prefix="kaggle-docker"
            )
        return cls._docker_executor

    @default("remove")
    def _default_remove(self):
        # Every start gets a fresh container from the current image; user files live in
        # the volume, so nothing is lost and an image change always takes effect.
        return True

    @default("use_internal_ip")
    def _default_use_internal_ip(self):
        return True

    @default("notebook_dir")
    def _default_notebook_dir(self):
        return layout.WORK_DIR

    @default("default_url")
    def _default_default_url(self):
        return "/lab"

    @default("object_name")
    def _object_name_default(self):
        return naming.container_name(self.name_prefix, self.user.name, self.name or "")

    @property
    def volume_name(self):
        """This server's persistent working volume."""
        return naming.volume_name(self.name_prefix, self.user.name, self.name or "")

    @property
    def _volume_labels(self):
        return volumes.labels(self.name_prefix, self.user.name, self.name or "")

    @property
    def _server_labels(self):
        """Labels of the server's container or service: whose it is, whatever its name."""
        base_name = naming.server_base_name(self.name_prefix, self.user.name, self.name or "")
        return container.labels(self.name_prefix, base_name)

    @property
    def volume_binds(self):
        binds = super().volume_binds
        binds.update(container.work_volume_bind(self.volume_name))
        if self.datasets_dir:
            binds.update(datasets.dataset_binds(self.datasets_dir))
        if self.team_folder:
            binds.update(team.bind(self.name_prefix, self.team_folder, self._team_read_only))
        return binds

    @property
    def _team_read_only(self):
        return bool(self.team_read_only_group) and self.team_read_only_group in self.group_names()

    @property
    def client(self):
        cls = self.__class__
        # One client for every spawner, made once: at the hub's start all servers are
        # checked at once on the executor's threads, and clients made side by side there
        # replaced each other while in use (the hub crashed with SIGSEGV).
        with _CLIENT_LOCK:
            if cls._client is None:
                cls._client = engine.connect(engine.client_kwargs(self._client_overrides()))
        return cls._client

    def _client_overrides(self):
        overrides = {"max_pool_size": self.docker_threads + 2, **self.client_kwargs}
        if self.tls_config:
            overrides["tls"] = docker.tls.TLSConfig(**self.tls_config)
        return overrides

    def get_env(self):
        env = super().get_env()
        env.setdefault("JUPYTERHUB_ACTIVITY_INTERVAL", str(self.activity_interval))
        env.update(container.environment())
        env.update(
            container.kaggle_environment(env["JUPYTERHUB_API_URL"], env["JUPYTERHUB_API_TOKEN"])
        )
        if self.team_folder:
            readers = self.team_read_only_group if self._team_read_only else ""
            env.update(team.environment(self.team_folder, readers))
        return env

    @default("cmd")
    def _default_cmd(self):
        return [container.SINGLEUSER]

    def get_args(self):
        return [*super().get_args(), *container.server_args(self.auth_cache_seconds)]

    async def get_command(self):
        return container.command(self.cmd, self.get_args())

    async def start(self):
        """Apply the chosen profile, checked before anything is created, then start and
        hand the server over as soon as JupyterLab answers."""
        leaving.refuse_if_gone(self.user)
        try:
            profile, image = self._chosen_profile()
        except profiles.OptionsError as e:
            # JupyterHub saved these options for the next start without options (the Start
            # button): forget them, so that one refusal does not refuse every later start.
            self.orm_spawner.user_options = {}
            object_session(self.orm_spawner).commit()
            raise SpawnError(str(e), status_code=e.status_code) from None
        self._progress_log = ProgressLog()
        deaths.REASONS.pop((self.user.name, self.name), None)
        await self._apply_profile(profile, image)
        ip, port = await self.start_server()
        self._progress.add(70, "Waiting for JupyterLab to answer")
        url = f"http://{ip}:{port}{self.server.base_url if self.server else '/'}api"
        waited = await readiness.wait_until_answers(
            url, self.http_timeout, self.ready_poll_seconds, self._fail_if_exited
        )
        if waited is not None:
            self.log.info("%s answers after %.2f s", self._log_name, waited)
            self._progress.add(95, f"JupyterLab answers (after {waited:.1f} s)")
        return ip, port

    def _chosen_profile(self):
        """``(profile, image)`` of the server's options (``profiles.OptionsError`` if they
        are not offered to this user)."""
        return profiles.select(
            self.profile_choices,
            self.user_options,
            self._extra_allowed_images(),
            self.group_names(),
        )

    async def _apply_profile(self, profile, image):
        """Give the server the image, limits and dataset mounts of ``profile``."""
        self._profile = profile
        self.image = image
        self.datasets_mounted = await self._in_executor(datasets.prepare, self.datasets_dir)
        self.cpu_limit = profile.cpu_limit
        self.mem_limit = profile.mem_limit or container.default_memory_limit(
            await self.machine_memory()
        )

    def load_state(self, state):
        super().load_state(state)
        self.datasets_mounted = state.get("datasets_mounted")

    def get_state(self):
        state = super().get_state()
        if self.datasets_mounted is not None:
            state["datasets_mounted"] = self.datasets_mounted
        return state

    def clear_state(self):
        super().clear_state()
        self.datasets_mounted = None

    async def machine_memory(self):
        """Memory of the machine a server runs on, in bytes (for the default limit)."""
        raise NotImplementedError

    async def start_server(self):
        """Create and start the server's container or service: ``(ip, port)``."""
        return await super().start()

    async def _fail_if_exited(self):
        """Raise SpawnError with the reason if the starting server cannot become ready."""
        raise NotImplementedError

    def _remember_death(self, state):
        """Keep why the server died (Docker's container ``state``) for the user's next page."""
        self._remember_stop(logs.death_reason(state, self.mem_limit))

    def _remember_stop(self, why):
        """Keep ``why`` (the rest of "Your server ...") for the user's next page."""
        name = f"Your server {self.name!r}" if self.name else "Your server"
        deaths.REASONS[(self.user.name, self.name)] = f"{name} {why}."

    @property
    def _progress(self):
        if not hasattr(self, "_progress_log"):
            self._progress_log = ProgressLog()
        return self._progress_log

    async def progress(self):
        """The spawn's events as they happen: the pull, the container, the server's answer."""
        async for event in self._progress.follow():
            yield event

    async def _in_executor(self, function, *args):
        """Run a blocking Docker helper on DockerSpawner's executor."""
        return await self._submit(function, *args)

    def docker(self, method, *args, **kwargs):
        return self._submit(self._docker, method, *args, **kwargs)

    def _submit(self, function, *args, **kwargs):
        """Run ``function`` on DockerSpawner's executor, remembered until it ends: a start
        cancelled by a stop leaves its Docker call running, and ``settle`` waits for it."""
        call = self.executor.submit(function, *args, **kwargs)
        calls = self.__dict__.setdefault("_docker_calls", set())
        calls.add(call)
        call.add_done_callback(calls.discard)
        return asyncio.wrap_future(call)

    async def settle(self):
        """Wait until the Docker calls of a cancelled start have ended, and the calls they
        lead to (the removal of a container created too late), up to SETTLE_SECONDS: then
        what they made can be found and removed."""
        calls = self.__dict__.get("_docker_calls", set())
        deadline = time.monotonic() + SETTLE_SECONDS
        while calls and time.monotonic() < deadline:
            running = [asyncio.wrap_future(c) for c in list(calls)]
            await asyncio.wait(running, timeout=deadline - time.monotonic())
            # Callbacks of the ended calls run on the next turns of the loop.
            await asyncio.sleep(0.05)

    def _extra_allowed_images(self):
        allowed = self._get_allowed_images()
        return allowed if allowed == "*" else tuple(allowed)

    async def delete_forever(self):
        """Quarantine (or remove) the working volume, so that a new account with the same
        name never gets the old files."""
        deaths.REASONS.pop((self.user.name, self.name), None)
        name = self.volume_name
        if self.deleted_volumes == "remove":
            if await self._in_executor(volumes.remove, self.client, name):
                self.log.warning("Removed volume %s of deleted server %s", name, self._log_name)
            return
        image = await self._in_executor(volumes.helper_image, self.client, self.image)
        began = time.monotonic()
        moved = await self._in_executor(
            volumes.quarantine, self.client, image, name, self._volume_labels
        )
        if moved:
            target, size = moved
            self.log.warning(
                "Quarantined volume %s of deleted server %s as %s (%s in %.1f s)",
                name,
                self._log_name,
                target,
                human_size(size),
                time.monotonic() - began,
            )

    async def move_files_to(self, new_user):
        """Move the working volume to the name it has for user ``new_user`` (a rename), so
        that nothing stays under the old name for the next account that takes it."""
        name = self.volume_name
        target = naming.volume_name(self.name_prefix, new_user, self.name or "")
        labels = volumes.labels(self.name_prefix, new_user, self.name or "")
        image = await self._in_executor(volumes.helper_image, self.client, self.image)
        moved = await self._in_executor(
            volumes.move, self.client, image, name, target, labels, None, self._quota()
        )
        if moved is not None:
            self.log.info(
                "Moved volume %s of %s to %s (%s)", name, self._log_name, target, human_size(moved)
            )

    def _quota(self):
        """Where and how big new working volumes are made with a quota; None: no quota."""
        return None

    async def check_allowed(self, image):
        # start() has checked the image against the profiles and allowed_images.
        return image

    async def _evaluated(self, setting):
        value = self._eval_if_callable(setting)
        if inspect.isawaitable(value):
            value = await value
        return value or {}

    @staticmethod
    def _image_missing(image, pull_error=None):
        return SpawnError(image_missing_message(image, tags.get_command(image), pull_error))

    async def pull_image(self, image):
        """Make sure ``image`` is here (pulling per ``pull_policy``) and can serve the hub.

        A pull is shared by every spawn that needs the image and shows its progress on
        the spawn page.
        """
        policy = self.pull_policy.lower()
        if policy != "skip":
            present = await self._in_executor(inventory.image_id, self.client, image) is not None
            # Images this project builds come from ./deploy/build-image, never a registry.
            if not present and (policy == "never" or not tags.pulled_from_registry(image)):
                raise self._image_missing(image)
            if policy == "always" or not present:
                await self._shared_pull(image)
        if self.check_jupyterhub_version:
            await self.check_image_version(image)

    async def _shared_pull(self, image):
        if pulls.PULLS.under_way(image):
            self.log.info("%s waits for the pull of %s already under way", self._log_name, image)
        kwargs = engine.client_kwargs(self._client_overrides())
        pull = pulls.PULLS.join(image, kwargs, self.pull_stall_seconds, self.log)
        pull.subscribe(self._progress.add)
        try:
            await pull.wait()
        except pulls.PullStalled:
            raise SpawnError(pull_stalled_message(image, self.pull_stall_seconds)) from None
        except pulls.PullFailed as e:
            raise self._image_missing(image, None if e.status_code == 404 else str(e)) from None
        finally:
            pull.subscribers.remove(self._progress.add)

    async def image_jupyterhub_version(self, image):
        """The jupyterhub version installed in ``image`` (None if absent), once per image id."""
        image_id = await self._in_executor(inventory.image_id, self.client, image)
        if image_id is None:
            raise self._image_missing(image)
        return await self._in_executor(probe.cached_jupyterhub_version, self.client, image_id)

    async def check_image_version(self, image):
        found = await self.image_jupyterhub_version(image)
        if found != jupyterhub.__version__:
            raise SpawnError(
                version_mismatch_message(
                    image, found, jupyterhub.__version__, tags.fix_version_command(image)
                )
            )

    def start_polling(self):
        # Called by JupyterHub for a new server and for one found running at hub start.
        super().start_polling()
        deaths.DEATHS.watch(self)

    def stop_polling(self):
        deaths.DEATHS.forget(self)
        hangs.HANGS.forget(self)
        super().stop_polling()

    async def poll(self):
        # A server with a record but no container id, and no start or stop under way here,
        # is one whose start an earlier hub never finished (it was killed meanwhile): the
        # id is saved only once a start completes. (The hub's own check at its start is
        # the usual caller, so a pending check does not count.)
        unfinished = (
            self.server is not None
            and not self.object_id
            and not (self._spawn_pending or self._stop_pending)
        )
        try:
            status = await super().poll()
        except DockerUnreachable as e:
            # Unknown is not stopped: keep the server's record until Docker answers again.
            self.log.warning("Cannot poll %s: %s", self._log_name, e)
            return None
        if status is None and unfinished:
            # Nobody was handed this server, and its start may have failed for want of the
            # hub: discard it now rather than make the hub wait on it and its user wait.
            self.log.warning(
                "%s: its start was cut short by a hub that stopped; discarding it",
                self._log_name,
            )
            return "start not finished"
        return status
