"""Where people connect: traefik in front, serving HTTPS as KAGGLE_HUB_TLS says, the
hub's cookies, and the hub's own pages and APIs."""

from urllib.parse import urlsplit

from ..hub import datadir, routes, services, tls, traefikprocess
from ..kaggle import handlers as kaggle


def configure(c, s, hub_state):
    """Set the hub's addresses, cookies, own pages and proxy; the proxy's API is on
    loopback at a port derived so that it never clashes."""
    serving = s.serving
    c.JupyterHub.bind_url = f"http://{s.ip}:{s.port}"
    c.JupyterHub.public_url = s.public_url
    # With KAGGLE_HUB_USER_SUBDOMAINS=1 each user's server has an origin of its own
    # (ann.HOST), so the browser keeps one user's pages from reading another's server.
    if serving.user_subdomains:
        c.JupyterHub.subdomain_host = s.public_url
        # A script in ann.HOST may set cookies for all of HOST, but never a __Host- one:
        # the hub's login cookie then cannot be replaced by a user's (browsers take
        # __Host- cookies only with Secure, so over HTTPS).
        c.JupyterHub.cookie_host_prefix_enabled = s.public_url.startswith("https://")
    # Every cookie of the hub and of user servers: not sent with another site's requests
    # (links from elsewhere still log in), and only over HTTPS when the hub serves it.
    c.JupyterHub.tornado_settings = {
        **services.tornado_settings(s.public_url),
        # Kaggle's APIs in servers: the shared datasets, and users' secrets, encrypted with
        # a key derived from the hub's own.
        **kaggle.settings_for(s.datasets_dir, datadir.secrets_dir(s.data_dir), hub_state.crypt_key),
    }
    # The hub's own pages and APIs (Kaggle's, the Secrets page, the REST handlers that
    # keep a user's files and secrets with the user), served whatever the login.
    routes.mount_in_running_hub()

    c.JupyterHub.proxy_class = "kaggle-traefik"
    proxy = c.KaggleTraefikProxy
    proxy.pid_file = hub_state.proxy_pid_file
    proxy.static_config_file = traefikprocess.static_config_file(hub_state.proxy_dir)
    proxy.dynamic_config_file = f"{hub_state.proxy_dir}/rules.toml"
    proxy.traefik_api_url = f"http://127.0.0.1:{s.proxy_api_port}"
    proxy.traefik_api_username = "jupyterhub"
    proxy.traefik_api_password = hub_state.proxy_token
    proxy.tls_mode = serving.tls
    proxy.http_port = serving.http_port
    proxy.trusted_proxies = list(serving.trusted_proxies)
    proxy.cert_file, proxy.key_file = tls.certificate_files(
        serving.tls,
        serving.cert_file,
        serving.key_file,
        hub_state.tls_dir,
        s.public_url,
        s.team_name,
        serving.user_subdomains,
    )
    proxy.acme_email = serving.acme_email
    proxy.acme_directory = serving.acme_directory
    proxy.acme_ca_cert = serving.acme_ca_cert
    proxy.acme_domain = urlsplit(s.public_url).hostname or ""
    proxy.acme_storage = f"{hub_state.proxy_dir}/acme.json"
