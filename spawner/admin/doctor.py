"""``kaggle-hub doctor``: each check of the machine the hub needs, with the fix for a failure."""

import os
import shutil
from pathlib import Path

import docker
import jupyterhub
from packaging.version import Version

from .. import engine
from ..errors import DockerUnreachable
from ..images import inventory, probe, tags

MIN_FREE_BYTES = 10 * 1024**3


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


def check_disk(path, minimum=MIN_FREE_BYTES):
    free = shutil.disk_usage(path).free
    detail = f"{free / 1024**3:.1f} GB free at {path}"
    if free < minimum:
        return Check(
            False,
            "disk",
            detail + f" (under {minimum / 1024**3:.0f} GB)",
            "free space, e.g. 'docker image prune' and 'docker builder prune'",
        )
    return Check(True, "disk", detail)


def checks(s):
    """Yield each check in turn; later checks that need Docker are skipped without it."""
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
    yield check_disk(root if os.path.isdir(root) else "/")


def run_checks(s, out):
    """Print every check; True when all passed."""
    ok = True
    for check in checks(s):
        out.write(check.line() + "\n")
        out.flush()
        ok = ok and check.ok
    out.write("All checks passed.\n" if ok else "Some checks failed: see the fixes above.\n")
    return ok
