# Kaggle Team Hub: JupyterHub configuration.
#
# Settings come from environment variables (and an optional .env file next to this one);
# the README lists every variable with its default. Site-specific changes go in
# jupyterhub_config.d/*.py, applied last in name order, so this file stays as shipped.
#
# Six steps do I/O while this file loads, each because the hub needs its result before
# it starts serving: the data dir (secrets and the database must exist for the hub to
# open them), the TLS certificate (the proxy serves it from its first request), Docker
# answering (waited for, as at boot), the network gateway and its fence (the hub binds
# its API there, and no server may reach anything else of this machine), OpenID Connect
# discovery (the login handlers need the endpoints), and the pre-pull (started in the
# hub's event loop so that it runs while the hub starts). The sweep of servers no hub
# record knows starts there too, and waits until the hub runs.
import functools
import html
import logging
import os
import shutil
import sqlite3
import sys
import warnings
from pathlib import Path
from urllib.parse import urlsplit

from traitlets.config import Config

from spawner import engine
from spawner.hub import (
    backupstatus,
    datadir,
    dbfaults,
    gpuholders,
    network,
    quotause,
    routes,
    services,
    swarm,
    teamfiles,
    tls,
    traefikprocess,
)
from spawner.hub.dropins import apply_dropins
from spawner.images import inventory, prepull
from spawner.images.pulls import PULL_STALL_SECONDS
from spawner.kaggle import handlers as kaggle
from spawner.login import approval, oidc
from spawner.login.config import authenticator_config
from spawner.server import deaths, hangs, orphans, usage
from spawner.settings.hub import load
from spawner.sizes import parse_size
from spawner.swarm import orphans as swarm_orphans

c = get_config()  # noqa: F821 (provided by JupyterHub)
# jupyter_events warns at every start that JupyterHub 5.5's own event schema gives its
# version as a number: noise for an admin, who can change nothing about it.
warnings.filterwarnings("ignore", message="The `version` property of an event schema")
s = load(Path(__file__).resolve().parent)

# Hub state: one owner-only directory; secrets generated once and reused. A data dir the
# hub cannot write (a full disk, a read-only mount, a database another program holds)
# stops the start with one line that says so; once running, the hub answers 503 with the
# cause instead of taking everyone for logged out.
try:
    state = datadir.prepare(s.data_dir, s.admins)
except (OSError, sqlite3.Error) as e:
    sys.exit(f"Not started: {dbfaults.unusable_message(e, s.data_dir)}")
if routes.mount_in_running_hub():
    dbfaults.install(s.data_dir)
c.JupyterHub.db_url = state.db_url
c.JupyterHub.cookie_secret_file = state.cookie_secret_file
c.JupyterHub.pid_file = state.hub_pid_file

# Where people connect: traefik, serving HTTPS as KAGGLE_HUB_TLS says, with its API on
# loopback at a port derived so that it never clashes.
c.JupyterHub.bind_url = f"http://{s.ip}:{s.port}"
c.JupyterHub.public_url = s.public_url
# With KAGGLE_HUB_USER_SUBDOMAINS=1 each user's server has an origin of its own
# (ann.HOST), so the browser keeps one user's pages from reading another's server.
if s.serving.user_subdomains:
    c.JupyterHub.subdomain_host = s.public_url
    # A script in ann.HOST may set cookies for all of HOST, but never a __Host- one: the
    # hub's login cookie then cannot be replaced by a user's (browsers take __Host- cookies
    # only with Secure, so over HTTPS).
    c.JupyterHub.cookie_host_prefix_enabled = s.public_url.startswith("https://")
# Every cookie of the hub and of user servers: not sent with another site's requests
# (links from elsewhere still log in), and only over HTTPS when the hub serves it.
c.JupyterHub.tornado_settings = {
    **services.tornado_settings(s.public_url),
    # Kaggle's APIs in servers: the shared datasets, and users' secrets, encrypted with a
    # key derived from the hub's own.
    **kaggle.settings_for(s.datasets_dir, datadir.secrets_dir(s.data_dir), state.crypt_key),
}
# The hub's own pages and APIs (Kaggle's, the Secrets page, the REST handlers that keep a
# user's files and secrets with the user), served whatever the login (mounted above).
# Secrets need a scope of their own: users hold it for themselves, their servers' tokens
# for their owner.
c.JupyterHub.custom_scopes, user_role, c.Spawner.server_token_scopes = kaggle.secrets_scopes()
c.JupyterHub.proxy_class = "kaggle-traefik"
proxy = c.KaggleTraefikProxy
proxy.pid_file = state.proxy_pid_file
proxy.static_config_file = traefikprocess.static_config_file(state.proxy_dir)
proxy.dynamic_config_file = f"{state.proxy_dir}/rules.toml"
proxy.traefik_api_url = f"http://127.0.0.1:{s.proxy_api_port}"
proxy.traefik_api_username = "jupyterhub"
proxy.traefik_api_password = state.proxy_token
proxy.tls_mode = s.serving.tls
proxy.http_port = s.serving.http_port
proxy.trusted_proxies = list(s.serving.trusted_proxies)
proxy.cert_file, proxy.key_file = tls.certificate_files(
    s.serving.tls,
    s.serving.cert_file,
    s.serving.key_file,
    state.tls_dir,
    s.public_url,
    s.team_name,
    s.serving.user_subdomains,
)
proxy.acme_email = s.serving.acme_email
proxy.acme_directory = s.serving.acme_directory
proxy.acme_ca_cert = s.serving.acme_ca_cert
proxy.acme_domain = urlsplit(s.public_url).hostname or ""
proxy.acme_storage = f"{state.proxy_dir}/acme.json"

# A hub started at boot or while Docker restarts waits for Docker. On one machine the hub
# API listens on the user network's gateway: containers reach it, and nothing else of this
# machine (the fence), nor each other. (An admin who sets KAGGLE_HUB_API_IP places the API,
# and fences it, themselves; the hub warns when containers cannot reach that address.) On
# a swarm the hub runs in a service on the overlay network, where servers reach it by name.
engine.wait_until_answering(engine.client_kwargs(), s.docker_wait_seconds)
if s.swarm.on_swarm:
    swarm.check(s.network)
    c.JupyterHub.hub_ip = "0.0.0.0"
    c.JupyterHub.hub_connect_ip = s.swarm.hub_host
else:
    c.JupyterHub.hub_ip = network.hub_api_ip(s.api_ip, s.network, s.network_internal)
    for warning in network.api_warnings(s.api_ip, s.network, s.api_port):
        logging.getLogger("JupyterHub").warning(warning)
    # Addresses in the hub's log and its login locks are true: a user's code cannot name
    # another in a header.
    trusted_peers = {c.JupyterHub.hub_ip, "127.0.0.1", "::1"}
    c.JupyterHub.tornado_settings["log_function"] = services.request_log(trusted_peers)
    c.JupyterHub.tornado_settings[services.TRUSTED_PEERS] = trusted_peers
c.JupyterHub.hub_port = s.api_port

# User servers: containers here, or services on the swarm (c.KaggleSpawner applies to
# both; c.KaggleSwarmSpawner to the swarm alone).
c.JupyterHub.spawner_class = "kaggle-swarm" if s.swarm.on_swarm else "kaggle"
servers = c.KaggleSpawner
servers.image = s.image
servers.network_name = s.network
servers.network_internal = s.network_internal
servers.name_prefix = s.prefix
servers.shm_size = s.shm_size
servers.profiles = list(s.profiles)
servers.datasets_dir = s.datasets_dir
servers.deleted_volumes = s.deleted_volumes
servers.min_free_disk = parse_size(s.min_free_disk)
disk_quota = parse_size(s.disk_quota)
servers.disk_quota = disk_quota
servers.quota_folder = s.quota_dir
servers.gpu_devices = None if s.gpus is None else list(s.gpus)
servers.gpus_per_user = s.gpus_per_user
servers.team_folder = s.team_folder
servers.team_read_only_group = s.team_read_only_group
servers.log_dir = datadir.server_log_dir(s.data_dir)
c.KaggleSwarmSpawner.nfs_host = s.swarm.nfs_host
c.KaggleSwarmSpawner.nfs_export = s.swarm.nfs_path
c.KaggleSwarmSpawner.schedule_seconds = s.swarm.schedule_seconds
c.JupyterHub.concurrent_spawn_limit = s.concurrent_spawns
# Restarting the hub (an upgrade, a new setting) leaves running servers alone.
c.JupyterHub.cleanup_servers = False
c.JupyterHub.allow_named_servers = s.named_servers > 0
c.JupyterHub.named_server_limit_per_user = s.named_servers

# Idle servers are stopped by jupyterhub-idle-culler, with a role that can do only that.
services.let_services_stop()
c.JupyterHub.services, c.JupyterHub.load_roles = services.idle_culler(
    s.cull_idle_seconds, sys.executable, shutil.which("setpriv")
)
servers.activity_interval = services.activity_interval(s.cull_idle_seconds)
# Backup sets are written on schedule by a service of the hub's (KAGGLE_HUB_BACKUP_DIR).
c.JupyterHub.services += services.backup_schedule(
    s.backups.scheduled,
    sys.executable,
    Path(__file__).resolve().parent,
    os.environ,
    shutil.which("setpriv"),
)
# Prometheus reads /hub/metrics with the token in the data dir's metrics_token.
metrics_service, metrics_role = services.metrics_reader(state.metrics_token)
c.JupyterHub.services.append(metrics_service)
c.JupyterHub.load_roles.append(metrics_role)
# Members use their own secrets, and share a running server with a teammate unless
# KAGGLE_HUB_SHARING=0.
c.JupyterHub.load_roles.append(services.user_scopes(user_role, s.sharing))

# The hub's pages carry the product's and the team's name and tell a user why their
# server died or that it stopped answering (admins see every user's) and what their files
# take on the disk; admins see how the scheduled backups went and who holds which GPU;
# with the built-in login, an admin sees how many sign-ups wait for approval.
native = s.auth.mode == "native"
c.JupyterHub.template_paths = [services.TEMPLATES]
hub_template_vars = {
    "product_name": "Kaggle Team Hub",
    "team_name": s.team_name,
    "native_accounts": native,
    "pending_signups": approval.pending_signups if native else 0,
    "deleted_volumes": s.deleted_volumes,
    "server_stops": deaths.stop_reasons,
    "server_hangs": hangs.hung_servers,
    "volume_use": functools.partial(usage.volume_use, s.prefix),
    "team_files": functools.partial(teamfiles.for_members, s.prefix, s.team_folder),
    "sharing": s.sharing,
    "backup_status": functools.partial(backupstatus.for_admins, s.data_dir, s.backups),
    "quota_use": functools.partial(quotause.for_admins, s.prefix, disk_quota),
    # On one machine; a swarm's scheduler places GPUs on its nodes.
    "gpu_holders": None
    if s.swarm.on_swarm
    else functools.partial(gpuholders.for_admins, s.prefix, s.gpus),
    # JupyterHub shows it on every page as markup: the setting is plain text.
    **({"announcement": html.escape(s.announcement)} if s.announcement else {}),
}
c.JupyterHub.template_vars = dict(hub_template_vars)

# Login: the mode chosen by KAGGLE_HUB_AUTH. The hub's user list (the admin page) says who
# may log in; admins named in KAGGLE_HUB_ADMINS are admins, and a name removed from it
# loses admin rights at this start. Auth state (OAuth tokens) is encrypted with a key kept
# in the data directory.
c.CryptKeeper.keys = [state.crypt_key]
discovered = oidc.endpoints_for(s.auth)
c.merge(
    Config(
        authenticator_config(
            s.auth, s.admins, state.revoked_admins, discovered, state.admin_code_file
        )
    )
)

apply_dropins(c, s.config_d)
# A drop-in that sets JupyterHub's template_vars as its docs show (a new dict, e.g. for an
# announcement) adds to the hub's own names, links and messages instead of removing them.
c.JupyterHub.template_vars = {**hub_template_vars, **c.JupyterHub.template_vars}


def start_background_work():
    # Missing images are pulled in the background, so the first user does not wait; a
    # spawn that needs one meanwhile follows the same pull. (On a swarm each node pulls.)
    if s.prepull and not s.swarm.on_swarm:
        prepull.start(
            inventory.configured_images(s.image, s.profiles),
            c.KaggleSpawner.get("pull_stall_seconds", PULL_STALL_SECONDS),
        )
    # Servers left running by a hub that lost its state are removed once the hub runs
    # (their volumes stay): containers here, services on a swarm.
    orphans.start(
        s.prefix,
        datadir.server_log_dir(s.data_dir),
        swarm_orphans.sweep if s.swarm.on_swarm else None,
    )
    # A running server that stops answering (frozen) is reported to its user and admins.
    hangs.HANGS.start()


# Only in a hub that serves users, not in `jupyterhub upgrade-db`.
routes.when_serving(start_background_work)
