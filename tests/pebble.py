"""Let's Encrypt's ACME test server (Debian's pebble) on 127.0.0.1, with its mock DNS
(pebble-challtestsrv) answering 127.0.0.1 for every name, so that pebble checks the hub's
HTTP-01 challenge on this machine's loopback only."""

import json
import ssl
import urllib.request
from pathlib import Path

from .hubprocess import free_port
from .processes import LoggedProcess


class Pebble:
    """pebble and its DNS; ``ca_pem`` is the CA of pebble's own HTTPS (from trustme)."""

    def __init__(self, workdir, ca, http_port, validity_seconds):
        self.workdir = Path(workdir)
        self.port, self.management_port, self.dns_port = free_port(), free_port(), free_port()
        self.http_port = http_port
        cert = ca.issue_cert("127.0.0.1", "localhost")
        cert.private_key_pem.write_to_path(self.workdir / "pebble-key.pem")
        cert.cert_chain_pems[0].write_to_path(self.workdir / "pebble-cert.pem")
        self.ca_file = self.workdir / "pebble-ca.pem"
        ca.cert_pem.write_to_path(self.ca_file)
        config = {
            "pebble": {
                "listenAddress": f"127.0.0.1:{self.port}",
                "managementListenAddress": f"127.0.0.1:{self.management_port}",
                "certificate": str(self.workdir / "pebble-cert.pem"),
                "privateKey": str(self.workdir / "pebble-key.pem"),
                "httpPort": http_port,
                "tlsPort": free_port(),
                "ocspResponderURL": "",
                "externalAccountBindingRequired": False,
                "certificateValidityPeriod": validity_seconds,
            }
        }
        (self.workdir / "pebble.json").write_text(json.dumps(config))
        self.dns = LoggedProcess("pebble-challtestsrv", self.workdir / "challtestsrv.log")
        self.server = LoggedProcess("pebble", self.workdir / "pebble.log")
        self.server.verify = str(self.ca_file)

    @property
    def directory(self):
        return f"https://127.0.0.1:{self.port}/dir"

    def start(self):
        self.dns.launch(
            [
                "pebble-challtestsrv",
                "-dns01",
                f"127.0.0.1:{self.dns_port}",
                "-http01",
                "",
                "-https01",
                "",
                "-tlsalpn01",
                "",
                "-management",
                f"127.0.0.1:{free_port()}",
                "-defaultIPv6",
                "",
            ]
        )
        self.server.launch(
            [
                "pebble",
                "-config",
                str(self.workdir / "pebble.json"),
                "-dnsserver",
                f"127.0.0.1:{self.dns_port}",
                "-strict=false",
            ],
            ready_url=self.directory,
            env={"PEBBLE_VA_NOSLEEP": "1", "PATH": "/usr/bin:/bin"},
        )
        return self

    def root_pem(self):
        """The root of the certificates pebble issues (made anew at each start)."""
        context = ssl.create_default_context(cafile=str(self.ca_file))
        url = f"https://127.0.0.1:{self.management_port}/roots/0"
        with urllib.request.urlopen(url, context=context, timeout=10) as response:
            return response.read()

    def stop(self):
        self.server.stop()
        self.dns.stop()
