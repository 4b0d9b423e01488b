"""A real LDAP directory (Debian's slapd) on 127.0.0.1, as a subprocess with its own
configuration and database in a test's folder."""

import shutil
import socket
import subprocess
from pathlib import Path

from .hubprocess import free_port
from .processes import LoggedProcess
from .waiting import wait_for

SUFFIX = "dc=team,dc=example"
PEOPLE = f"ou=people,{SUFFIX}"
CONFIG = """include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile {dir}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "cn=admin,{suffix}"
rootpw {rootpw}
directory {dir}/db
"""
ORGANISATION = f"""dn: {SUFFIX}
objectClass: dcObject
objectClass: organization
o: Team
dc: team

dn: {PEOPLE}
objectClass: organizationalUnit
ou: people
"""
PERSON = """
dn: uid={uid},{people}
objectClass: inetOrgPerson
uid: {uid}
cn: {uid}
sn: {uid}
userPassword: {password}
"""


def slapd():
    path = shutil.which("slapd") or "/usr/sbin/slapd"
    if not Path(path).is_file():
        raise RuntimeError("Debian's slapd is not installed: run the suite with ./deploy/test.")
    return path


class LDAPServer(LoggedProcess):
    """A directory whose people (``{uid: password}``) log in as ``uid=NAME,ou=people,...``."""

    def __init__(self, workdir, people):
        self.dir = Path(workdir) / "ldap"
        self.port = free_port()
        super().__init__("slapd", self.dir / "slapd.log")
        (self.dir / "db").mkdir(parents=True)
        self.config = self.dir / "slapd.conf"
        self.config.write_text(CONFIG.format(dir=self.dir, suffix=SUFFIX, rootpw="unused-root"))
        entries = ORGANISATION + "".join(
            PERSON.format(uid=uid, people=PEOPLE, password=password)
            for uid, password in people.items()
        )
        subprocess.run(
            [str(Path(slapd()).parent / "slapadd"), "-f", str(self.config)],
            input=entries,
            text=True,
            check=True,
            capture_output=True,
        )

    def hub_env(self):
        return {
            "KAGGLE_HUB_AUTH": "ldap",
            "KAGGLE_HUB_LDAP_URL": f"ldap://127.0.0.1:{self.port}",
            "KAGGLE_HUB_LDAP_BIND_DN_TEMPLATE": f"uid={{username}},{PEOPLE}",
        }

    def start(self):
        url = f"ldap://127.0.0.1:{self.port}"
        self.launch([slapd(), "-d", "0", "-h", url, "-f", str(self.config)])
        wait_for(self._listening, 30, what="slapd listening")
        return self

    def _listening(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"slapd exited with {self.process.returncode}:\n{self.log()}")
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", self.port)) == 0
