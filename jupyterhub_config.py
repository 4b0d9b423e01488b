# Kaggle Team Hub: JupyterHub configuration.
#
# Settings come from environment variables (and an optional .env file next to this one);
# the README lists every variable with its default. Site-specific changes go in
# jupyterhub_config.d/*.py, applied last in name order, so this file stays as shipped.
import sys
from pathlib import Path

from traitlets.config import Config

from spawner import auth, dockerapi, doctor, hubdata, network, oidc, prepull, services, settings
from spawner.dropins import apply_dropins
from spawner.spawner import KaggleSpawner

c = get_config()  # noqa: F821 (provided by JupyterHub)
here = Path(__file__).resolve().parent
s = settings.from_env(settings.read_environment(config_dir=here), config_dir=here)

# Hub state: one owner-only directory; secrets generated once and reused.
hubdata.ensure_private_dir(s.data_dir)
paths = hubdata.hub_paths(s.data_dir)
c.JupyterHub.db_url = paths["db_url"]
c.JupyterHub.cookie_secret_file = paths["cookie_secret_file"]
c.JupyterHub.pid_file = paths["hub_pid_file"]
c.ConfigurableHTTPProxy.pid_file = paths["proxy_pid_file"]
c.ConfigurableHTTPProxy.auth_token = hubdata.read_or_create_secret(paths["proxy_token_file"])

# Where people connect, and the internal ports (derived so they never clash with it).
c.JupyterHub.bind_url = f"http://{s.ip}:{s.port}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.proxy_api_port}"

# The hub API listens on the user network's gateway: containers reach it, nothing else.
api_ip = s.api_ip or network.network_gateway(
    dockerapi.connect(dockerapi.client_kwargs()), s.network, s.network_internal
)
c.JupyterHub.hub_ip = api_ip
c.JupyterHub.hub_port = s.api_port

# User servers.
c.JupyterHub.spawner_class = "kaggle"
c.KaggleSpawner.image = s.image
c.KaggleSpawner.network_name = s.network
c.KaggleSpawner.name_prefix = s.prefix
c.KaggleSpawner.shm_size = s.shm_size
c.KaggleSpawner.profiles = list(s.profiles)
c.KaggleSpawner.datasets_dir = s.datasets_dir
c.KaggleSpawner.deleted_volumes = s.deleted_volumes
c.JupyterHub.concurrent_spawn_limit = s.concurrent_spawns
# Restarting the hub (an upgrade, a new setting) leaves running servers alone.
c.JupyterHub.cleanup_servers = False
c.JupyterHub.allow_named_servers = s.named_servers > 0
c.JupyterHub.named_server_limit_per_user = s.named_servers

# Idle servers are stopped by jupyterhub-idle-culler, with a role that can do only that.
c.JupyterHub.services, c.JupyterHub.load_roles = services.idle_culler(
    s.cull_idle_seconds, sys.executable
)

# Login: the mode chosen by KAGGLE_HUB_AUTH. The hub's user list (the admin page) says who
# may log in; admins named in KAGGLE_HUB_ADMINS are admins, and a name removed from it
# loses admin rights at this start. Auth state (OAuth tokens) is encrypted with a key kept
# in the data directory.
c.CryptKeeper.keys = [hubdata.read_or_create_secret(paths["crypt_key_file"])]
discovered = oidc.discover(s.auth.oidc_issuer) if s.auth.needs_discovery else {}
revoked = hubdata.record_settings_admins(paths["admins_file"], s.admins)
c.merge(Config(auth.authenticator_config(s.auth, s.admins, revoked, discovered)))

apply_dropins(c, s.config_d)

# Missing images are pulled in the background from now on, so the first user does not wait;
# a spawn that needs one meanwhile follows the same pull.
if s.prepull:
    prepull.start(
        KaggleSpawner, doctor.configured_images(s), c.KaggleSpawner, dockerapi.client_kwargs()
    )
