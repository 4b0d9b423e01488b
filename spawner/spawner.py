"""KaggleSpawner: DockerSpawner for Kaggle's Python image, one working volume per server."""

import inspect

import docker
import jupyterhub
from dockerspawner import DockerSpawner
from traitlets import Bool, Integer, Unicode, default, validate

from . import container, dockerapi, images, naming
from .errors import (
    DockerUnreachable,
    SpawnError,
    image_missing_message,
    version_mismatch_message,
)

VERSION_PROBE = "import jupyterhub; print(jupyterhub.__version__)"
NO_JUPYTERHUB = "kaggle-team-hub: no jupyterhub"


class KaggleSpawner(DockerSpawner):
    """Spawns JupyterLab in Kaggle's Python image (or an image of the same shape).

    Plain ``c.DockerSpawner.*`` settings keep working; the settings below are added.
    """

    name_prefix = Unicode(
        "kaggle",
        config=True,
        help="""
        Prefix of the container and volume names of every user server.

        Names are ``{prefix}-{user}`` and ``{prefix}-{user}--{server}`` with both names
        escaped injectively; volumes add ``-work``. Default: ``kaggle``.

            c.KaggleSpawner.name_prefix = "kaggle"
        """,
    )

    shm_size = Unicode(
        "2g",
        config=True,
        help="""
        Size of ``/dev/shm`` in user containers. Docker's 64 MB default breaks PyTorch
        DataLoader workers. Default: ``2g``.

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

    # jupyterhub version per image id, shared by all servers of this hub process.
    _image_versions = {}

    @validate("name_prefix")
    def _validate_name_prefix(self, proposal):
        try:
            return naming.check_prefix(proposal.value)
        except ValueError as e:
            raise ValueError(f"c.KaggleSpawner.name_prefix: {e}") from None

    @validate("auth_cache_seconds")
    def _validate_auth_cache_seconds(self, proposal):
        if proposal.value < 1:
            raise ValueError(
                f"c.KaggleSpawner.auth_cache_seconds = {proposal.value!r}: use 1 or more "
                "seconds (the single-user server reads 0 as 'cache forever')."
            )
        return proposal.value

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
        return container.layout.WORK_DIR

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
    def volume_binds(self):
        binds = super().volume_binds
        binds.update(container.work_volume_bind(self.volume_name))
        return binds

    @property
    def client(self):
        cls = self.__class__
        if cls._client is None:
            cls._client = dockerapi.connect(dockerapi.client_kwargs(self._client_overrides()))
        return cls._client

    def _client_overrides(self):
        overrides = dict(self.client_kwargs)
        if self.tls_config:
            overrides["tls"] = docker.tls.TLSConfig(**self.tls_config)
        return overrides

    def get_env(self):
        env = super().get_env()
        env.update(container.environment())
        return env

    @default("cmd")
    def _default_cmd(self):
        return [container.SINGLEUSER]

    def get_args(self):
        return [*super().get_args(), *container.auth_args(self.auth_cache_seconds)]

    async def get_command(self):
        return container.command(self.cmd, self.get_args())

    async def create_object(self):
        configured = self.extra_host_config
        extra = self._eval_if_callable(configured)
        if inspect.isawaitable(extra):
            extra = await extra
        # Our host settings are defaults: c.DockerSpawner.extra_host_config wins.
        self.extra_host_config = {**container.host_config(self.shm_size), **(extra or {})}
        try:
            return await super().create_object()
        finally:
            self.extra_host_config = configured

    @staticmethod
    def _image_missing(image, pull_error=None):
        return SpawnError(image_missing_message(image, images.get_command(image), pull_error))

    async def pull_image(self, image):
        """Make sure ``image`` is here (pulling per ``pull_policy``) and can serve the hub."""
        try:
            await super().pull_image(image)
        except docker.errors.APIError as e:
            pull_error = None if e.status_code == 404 else (e.explanation or str(e))
            raise self._image_missing(image, pull_error) from e
        if self.check_jupyterhub_version:
            await self.check_image_version(image)

    async def image_jupyterhub_version(self, image):
        """The jupyterhub version installed in ``image`` (None if absent), once per image id."""
        try:
            image_id = (await self.docker("inspect_image", image))["Id"]
        except docker.errors.NotFound as e:
            raise self._image_missing(image) from e
        if image_id not in self._image_versions:
            self._image_versions[image_id] = await self._probe_version(image_id)
        return self._image_versions[image_id]

    async def _probe_version(self, image_id):
        probe = await self.docker(
            "create_container",
            image=image_id,
            command=["/bin/sh", "-c", f"python3 -c '{VERSION_PROBE}' || echo '{NO_JUPYTERHUB}'"],
            host_config=self.client.create_host_config(network_mode="none"),
            labels={"kaggle-team-hub.probe": "jupyterhub-version"},
        )
        try:
            await self.docker("start", probe["Id"])
            await self.docker("wait", probe["Id"], timeout=60)
            out = await self.docker("logs", probe["Id"], stdout=True, stderr=False)
        finally:
            await self.docker("remove_container", probe["Id"], force=True)
        lines = out.decode("utf-8", "replace").strip().splitlines()
        last = lines[-1].strip() if lines else NO_JUPYTERHUB
        return None if last == NO_JUPYTERHUB else last

    async def check_image_version(self, image):
        found = await self.image_jupyterhub_version(image)
        if found != jupyterhub.__version__:
            raise SpawnError(
                version_mismatch_message(
                    image, found, jupyterhub.__version__, images.fix_version_command(image)
                )
            )

    async def poll(self):
        try:
            return await super().poll()
        except DockerUnreachable as e:
            # Unknown is not stopped: keep the server's record until Docker answers again.
            self.log.warning("Cannot poll %s: %s", self._log_name, e)
            return None
