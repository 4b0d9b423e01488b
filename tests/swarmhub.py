"""The hub as deploy/swarm/stack.yml runs it, on the swarm of tests/swarmnodes.py."""

import secrets
import subprocess
import time

import trustme

from spawner.settings.environment import REPO_DIR

from .hubprocess import SERVICE_DROPIN, Hub, free_port
from .swarmnodes import docker
from .waiting import wait_for

STACK_FILE = "deploy/swarm/stack.yml"
ENCRYPTED = '    driver_opts:\n      encrypted: ""\n'


def unencrypted_stack(path):
    """deploy/swarm/stack.yml with its overlays unencrypted, written to ``path``: for a
    swarm of several nodes on a kernel without IPsec (swarmnodes.ipsec_works), where
    encrypted overlays carry nothing between nodes."""
    text = (REPO_DIR / STACK_FILE).read_text()
    assert text.count(ENCRYPTED) == 2, "the stack's two overlays are no longer as expected"
    path.write_text(text.replace(ENCRYPTED, ""))
    return str(path)


class SwarmHub(Hub):
    """A hub deployed with ``docker stack deploy -c deploy/swarm/stack.yml``: HTTPS with a
    test CA's certificate on a published port of 127.0.0.1, its site folder (hub.env,
    drop-ins) in ``workdir``, the team's data in ``shared``, users' servers on an internal
    overlay network."""

    def __init__(
        self,
        workdir,
        hub_image,
        image,
        prefix,
        settings=None,
        files=None,
        shared=None,
        stack_file=STACK_FILE,
        more_stack_files=(),
        internal=True,
    ):
        self.workdir = workdir
        self.stack_files = (stack_file, *more_stack_files)
        self.prefix = prefix
        self.stack = prefix
        self.network = f"{prefix}-net"
        self.port = free_port()
        self.http_port = free_port()
        self.token = secrets.token_hex(32)
        self.env = {"KAGGLE_HUB_TLS": "files"}
        self.site = workdir / "site"
        (self.site / "jupyterhub_config.d").mkdir(parents=True, exist_ok=True)
        (self.site / "jupyterhub_config.d/00-tester.py").write_text(
            SERVICE_DROPIN.format(token=self.token)
        )
        ca = trustme.CA()
        ca.cert_pem.write_to_path(workdir / "ca.pem")
        self.verify = str(workdir / "ca.pem")
        pair = ca.issue_cert("127.0.0.1")
        pair.private_key_pem.write_to_path(self.site / "key.pem")
        # The chain as a self-signed hub serves it: the hub's certificate, then the CA's.
        (self.site / "cert.pem").write_bytes(pair.cert_chain_pems[0].bytes() + ca.cert_pem.bytes())
        self.ca_pem = ca.cert_pem.bytes()
        shared = shared or workdir / "no-datasets"
        shared.mkdir(exist_ok=True)
        hub_env = {
            "KAGGLE_HUB_TLS": "files",
            "KAGGLE_HUB_TLS_CERT": "/etc/kaggle-team-hub/cert.pem",
            "KAGGLE_HUB_TLS_KEY": "/etc/kaggle-team-hub/key.pem",
            "KAGGLE_HUB_PUBLIC_URL": f"https://127.0.0.1:{self.port}",
            "KAGGLE_HUB_IMAGE": image,
            "KAGGLE_HUB_PREFIX": prefix,
            "KAGGLE_HUB_DATASETS_DIR": str(shared),
            **(settings or {}),
        }
        (self.site / "hub.env").write_text("".join(f"{k}={v}\n" for k, v in hub_env.items()))
        for name, text in (files or {}).items():
            (self.site / name).write_text(text)
        self.deploy_env = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "KAGGLE_HUB_HUB_IMAGE": hub_image,
            "KAGGLE_HUB_SITE_DIR": str(self.site),
            "KAGGLE_HUB_NETWORK": self.network,
            "KAGGLE_HUB_NETWORK_INTERNAL": "true" if internal else "false",
            "KAGGLE_HUB_HTTPS_PORT": str(self.port),
            "KAGGLE_HUB_HTTP_PORT": str(self.http_port),
            "KAGGLE_HUB_DATASETS_DIR": str(shared),
            "KAGGLE_HUB_DATA_DIR": str(workdir / "data"),
        }
        (workdir / "data").mkdir()

    # Where the test reaches the hub (its published HTTPS port, on this machine).
    address = "127.0.0.1"

    @property
    def url(self):
        return f"https://{self.address}:{self.port}"

    def deploy_args(self):
        """``-c FILE`` for each of the stack's files, in order (later ones add to earlier)."""
        return [arg for path in self.stack_files for arg in ("-c", path)]

    def kaggle_hub(self, *args):
        """``kaggle-hub ARGS`` in the hub's running container, as docs/howto/swarm.md runs
        it on the manager: the hub's own settings, paths and engine."""
        (container,) = docker(
            "ps", "-q", "--filter", f"label=com.docker.swarm.service.name={self.service}"
        ).stdout.split()
        return docker("exec", container, "kaggle-hub", *args, check=False, timeout=600)

    @property
    def service(self):
        return f"{self.stack}_hub"

    def log(self):
        """The hub's log over all its tasks, oldest first. Read from the tasks' containers
        (all on this node): ``docker service logs`` now and then never returns
        (docker/cli#4678)."""
        listed = docker(
            "ps", "-aq", "--filter", f"label=com.docker.swarm.service.name={self.service}"
        ).stdout.split()
        # docker ps lists the newest first; the hub logs to stderr.
        found = [docker("logs", container, check=False) for container in reversed(listed)]
        return "".join(each.stdout + each.stderr for each in found)

    def _answers(self):
        try:
            return self.api("GET", "/", timeout=2).status_code == 200
        except OSError:
            return False

    def start(self):
        # As docs/howto/swarm.md has it, from the checkout (with this hub's name for the stack).
        subprocess.run(
            ["docker", "stack", "deploy", *self.deploy_args(), self.stack],
            env=self.deploy_env,
            cwd=REPO_DIR,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        )
        wait_for(self._answers, 120, interval=0.5, what="the swarm hub answering")
        return self

    def restart(self):
        """Replace the hub's task (a new container on the same state volume), as Swarm
        does when the hub dies or its node restarts; return once the new one answers."""
        before = self.task_ids()
        docker("service", "update", "--force", "--detach", self.service)
        wait_for(lambda: self.task_ids() - before, 60, what="a new hub task")
        wait_for(self._answers, 120, interval=0.5, what="the restarted hub answering")

    def lose_state(self):
        """Stop the hub, empty its state folder (as a wiped disk or a lost backup would),
        and start it again: users' services keep running meanwhile."""
        docker("service", "scale", "--detach", f"{self.service}=0")
        wait_for(lambda: not self.task_ids(), 60, what="the hub stopped")
        wait_for(
            lambda: (
                not docker(
                    "ps", "-q", "--filter", f"label=com.docker.swarm.service.name={self.service}"
                ).stdout.split()
            ),
            60,
            what="the hub's container gone",
        )
        data = self.workdir / "data"
        subprocess.run(["rm", "-rf", str(data)], check=True)
        data.mkdir()
        docker("service", "scale", "--detach", f"{self.service}=1")
        wait_for(self._answers, 120, interval=0.5, what="the hub answering on a new state")

    def task_ids(self):
        out = docker(
            "service", "ps", "-q", "--filter", "desired-state=running", self.service
        ).stdout
        return set(out.split())

    def services(self):
        out = docker("service", "ls", "--format", "{{.Name}}").stdout.split()
        return [name for name in out if name.startswith(f"{self.prefix}-")]

    def stop(self):
        for name in self.services():
            docker("service", "rm", name, check=False)
        docker("stack", "rm", self.stack, check=False)
        # The stack's networks go once its task has stopped.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if docker("network", "inspect", self.network, check=False).returncode != 0:
                break
            docker("network", "rm", self.network, check=False)
            time.sleep(0.5)
        volumes = docker("volume", "ls", "-q").stdout.split()
        for volume in volumes:
            if volume.startswith(f"{self.prefix}-"):
                wait_for(
                    lambda v=volume: (
                        docker("volume", "rm", v, check=False).returncode == 0
                        or docker("volume", "inspect", v, check=False).returncode != 0
                    ),
                    60,
                    what=f"volume {volume} removed",
                )
