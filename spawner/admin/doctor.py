"""``kaggle-hub doctor``: each check of the machine the hub needs, with the fix for a failure."""

import datetime
import os
import shutil
import warnings
from pathlib import Path

import docker
import jupyterhub
import requests
import urllib3
from cryptography import x509
from packaging.version import Version

from .. import engine
from ..errors import DockerUnreachable
from ..hub.datadir import hub_paths
from ..hub.ports import busy_addresses
from ..hub.traefikprocess import left_running
from ..images import inventory, probe, tags
from ..server.datasets import kaggle_folders, plain_folders
from ..sizes import human_size, parse_size
from .hubstate import hub_running

MIN_FREE_BYTES = 10 * 1024**3
# A certificate closer to its end than this is reported, with how to renew it.
CERT_WARN_DAYS = 14


class Check:
    def __init__(self, ok, name, detail, fix=""):
        self.ok, self.name, self.detail, self.fix = ok, name, detail, fix

    def line(self):
        fix = f"\n      fix: {self.fix}" if self.fix and not self.ok else ""
        return f"{'OK  ' if self.ok else 'FAIL'}  {self.name}: {self.detail}{fix}"


def check_network(client, s):
    try:
        info = client.inspect_network(s.network)
    except docker.errors.NotFound:
        flag = "--internal " if s.network_internal else ""
        return Check(
            False,
            f"network {s.network}",
            "missing",
            f"start the hub once (it creates it), or 'docker network create {flag}{s.network}'",
        )
    internal = bool(info.get("Internal"))
    if internal != s.network_internal:
        return Check(
            False,
            f"network {s.network}",
            f"internal={internal}, but KAGGLE_HUB_NETWORK_INTERNAL asks for {s.network_internal}",
            f"stop its containers, 'docker network rm {s.network}', and start the hub",
        )
    return Check(True, f"network {s.network}", "present")


def check_image(client, image):
    name = f"image {image}"
    image_id = inventory.image_id(client, image)
    if image_id is None:
        return Check(False, name, "not on this machine", tags.get_command(image))
    found = probe.jupyterhub_version(client, image_id)
    want = jupyterhub.__version__
    if found != want:
        has = "no jupyterhub" if found is None else f"jupyterhub {found}"
        return Check(
            False, name, f"has {has}, the hub runs {want}", tags.fix_version_command(image)
        )
    server = probe.module_version(client, image_id, "jupyter_server")
    if server is not None and Version(server) < Version(tags.JUPYTER_SERVER_PATCHED):
        return Check(
            False,
            name,
            f"has jupyter_server {server}, below {tags.JUPYTER_SERVER_PATCHED}, the release "
            "that fixes its published path-traversal and stored-XSS advisories",
            tags.fix_server_command(image),
        )
    return Check(True, name, f"present, jupyterhub {found}, jupyter_server {server}")


def check_data_dir(path, euid=None):
    euid = os.geteuid() if euid is None else euid
    path = Path(path)
    name = f"data dir {path}"
    if not path.exists():
        return Check(
            True, name, "not created yet; the hub creates it owner-only at its first start"
        )
    st = path.stat()
    if st.st_uid != euid:
        return Check(False, name, f"owned by uid {st.st_uid}", f"chown -R {euid} {path}")
    if st.st_mode & 0o077:
        return Check(
            False, name, f"mode {oct(st.st_mode & 0o777)} lets others read it", f"chmod 700 {path}"
        )
    return Check(True, name, "owner-only")


def check_disk(path, minimum=MIN_FREE_BYTES, starts_need=0):
    """Room at Docker's folder ``path``: ``minimum`` for pulls, and ``starts_need`` (the
    hub's KAGGLE_HUB_MIN_FREE_DISK) below which no server starts."""
    free = shutil.disk_usage(path).free
    detail = f"{free / 1024**3:.1f} GB free at {path}"
    fix = "free space, e.g. 'docker image prune' and 'docker builder prune'"
    if free < starts_need:
        return Check(
            False,
            "disk",
            detail + f": under KAGGLE_HUB_MIN_FREE_DISK ({human_size(starts_need)}), so the "
            "hub refuses every start",
            fix,
        )
    if free < minimum:
        return Check(False, "disk", detail + f" (under {minimum / 1024**3:.0f} GB)", fix)
    return Check(True, "disk", detail)


def check_hub(s, running=None, answer=None):
    """Whether the hub runs and answers at its address; when it does not run, whether its
    ports are free for it."""
    running = hub_running(s.data_dir) if running is None else running
    url = f"{s.public_url}/hub/api/"
    if not running:
        # The proxy a stopped hub left serving users holds the proxy's ports, for the next.
        proxy = left_running(s.data_dir)
        addresses = [] if proxy else [f"{s.ip}:{s.port}", f"127.0.0.1:{s.proxy_api_port}"]
        busy = busy_addresses([*addresses, f"0.0.0.0:{s.api_port}"])
        detail = "not running" + (
            f"; its proxy (traefik, pid {proxy}) still serves users' servers, and the next "
            "start takes it over"
            if proxy
            else ""
        )
        if busy:
            detail += f"; another program listens on {', '.join(busy)}, which it needs"
        fix = "start it: ./deploy/run, or ./deploy/service install"
        if busy:
            fix = f"find it with: ss -ltnp 'sport = :{busy[0].rpartition(':')[2]}'; stop it, " + fix
        return Check(False, "hub", detail, fix)
    answer = answer or _ask(url)
    if isinstance(answer, str):
        logs = Path(hub_paths(s.data_dir)["log_dir"]) / "hub.log"
        return Check(
            False,
            "hub",
            f"running, but {url} does not answer ({answer})",
            f"read its log: journalctl -u kaggle-team-hub, or {logs}",
        )
    return Check(True, "hub", f"running, answers at {url} (JupyterHub {answer.get('version')})")


def _ask(url):
    """The hub API's answer at ``url`` (a dict), or why there is none (a string). Only
    whether it answers matters here, not whose certificate it shows."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
            answer = requests.get(url, timeout=5, verify=False)
        answer.raise_for_status()
        return answer.json()
    except (requests.RequestException, ValueError) as e:
        return str(e) or type(e).__name__


def check_certificate(name, path, fix, now=None):
    """How long the certificate in ``path`` (PEM, the first one) stays valid."""
    now = now or datetime.datetime.now(datetime.UTC)
    try:
        cert = x509.load_pem_x509_certificate(Path(path).read_bytes())
    except (OSError, ValueError) as e:
        return Check(False, name, f"{path} cannot be read as a certificate ({e})", fix)
    left = cert.not_valid_after_utc - now
    until = cert.not_valid_after_utc.strftime("%Y-%m-%d")
    if left < datetime.timedelta(0):
        return Check(False, name, f"{path} expired on {until}", fix)
    if left < datetime.timedelta(days=CERT_WARN_DAYS):
        return Check(False, name, f"{path} expires on {until}, in {left.days} days", fix)
    return Check(True, name, f"{path} valid until {until}")


def check_tls(s):
    """The certificates of the hub's TLS mode (the settings refuse plain HTTP off this
    machine)."""
    mode = s.serving.tls
    if mode == "self-signed":
        tls_dir = Path(hub_paths(s.data_dir)["tls_dir"])
        if not (tls_dir / "ca.pem").exists():
            return [Check(True, "TLS", "self-signed; the hub makes its CA at its first start")]
        return [
            check_certificate(
                "TLS: the hub's CA",
                tls_dir / "ca.pem",
                f"move {tls_dir}/ca.pem and ca-key.pem away and restart the hub; members "
                "then trust the new ca.pem",
            ),
            check_certificate(
                "TLS: the hub's certificate",
                tls_dir / "server.pem",
                "restart the hub: it renews its certificate 30 days before it ends",
            ),
        ]
    if mode == "files":
        return [
            check_certificate(
                "TLS certificate",
                s.serving.cert_file,
                "replace KAGGLE_HUB_TLS_CERT and KAGGLE_HUB_TLS_KEY with renewed ones (served "
                "within 30 s)",
            )
        ]
    detail = {"acme": "ACME; traefik renews the certificate", "proxy": "ended by your proxy"}
    return [Check(True, "TLS", detail.get(mode, f"{mode}, on this machine only"))]


def check_datasets(directory):
    """What the shared datasets folder holds, and that the hub can read it."""
    if not directory:
        return Check(True, "datasets", "none shared (KAGGLE_HUB_DATASETS_DIR is not set)")
    try:
        kaggle = kaggle_folders(directory)
        plain = plain_folders(directory)
        os.listdir(directory)
    except OSError as e:
        return Check(
            False,
            "datasets",
            f"{directory} cannot be read ({e.strerror})",
            f"chmod a+rx {directory}",
        )
    competitions = sum(1 for handle, _ in kaggle if handle.startswith("competitions/"))
    return Check(
        True,
        "datasets",
        f"{directory}: {competitions} competitions, {len(kaggle) - competitions} datasets, "
        f"{len(plain)} plain folders",
    )


def checks(s):
    """Yield each check in turn; later checks that need Docker are skipped without it."""
    yield check_hub(s)
    yield from check_tls(s)
    yield check_datasets(s.datasets_dir)
    kwargs = engine.client_kwargs()
    try:
        client = engine.connect(kwargs)
        version = client.version()["Version"]
    except (DockerUnreachable, docker.errors.DockerException) as e:
        yield Check(False, "docker engine", str(e), "start Docker, e.g. ./deploy/run")
        yield check_data_dir(s.data_dir)
        return
    yield Check(True, "docker engine", f"{version} at {engine.describe(kwargs)}")
    yield check_network(client, s)
    for image in inventory.configured_images(s.image, s.profiles):
        yield check_image(client, image)
    yield check_data_dir(s.data_dir)
    root = client.info().get("DockerRootDir") or "/"
    yield check_disk(root if os.path.isdir(root) else "/", starts_need=parse_size(s.min_free_disk))


def run_checks(s, out):
    """Print every check; True when all passed."""
    ok = True
    for check in checks(s):
        out.write(check.line() + "\n")
        out.flush()
        ok = ok and check.ok
    out.write("All checks passed.\n" if ok else "Some checks failed: see the fixes above.\n")
    return ok
