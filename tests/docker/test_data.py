"""Shared datasets, idle culling, what volumes take and deleted users' volumes, with real
hubs."""

import hashlib
import re
import time

import pytest

from ..hubprocess import UserServer, kaggle_hub
from ..waiting import wait_for

pytestmark = pytest.mark.docker

TITANIC = "PassengerId,Survived\n1,0\n2,1\n"
READ_BOTH_PATHS = (
    "import hashlib\n"
    "a = open('../input/titanic/train.csv', 'rb').read()\n"
    "b = open('/kaggle/input/titanic/train.csv', 'rb').read()\n"
    "print(a == b, hashlib.sha256(a).hexdigest())\n"
)


def test_shared_datasets_are_read_only_for_everyone_beside_own_files(make_hub, tmp_path):
    shared = tmp_path / "datasets"
    (shared / "titanic").mkdir(parents=True)
    (shared / "titanic/train.csv").write_text(TITANIC)
    hub = make_hub(env={"KAGGLE_HUB_DATASETS_DIR": str(shared)})
    digest = hashlib.sha256(TITANIC.encode()).hexdigest()

    ann = UserServer(hub, "ann", hub.create_user("ann"))
    hub.start_server("ann")
    assert ann.run(READ_BOTH_PATHS).split() == ["True", digest]
    refused = ann.run(
        "try:\n"
        "    open('/kaggle/input/titanic/train.csv', 'a').write('x')\n"
        "except OSError as e:\n"
        "    print(e.errno)\n"
    )
    assert refused.strip() == "30"  # EROFS
    ann.put_text("input/mine.csv", "a,b\n")
    assert {"titanic", "mine.csv"} <= ann.names("input")
    assert (shared / "titanic/train.csv").read_text() == TITANIC

    bob = UserServer(hub, "bob", hub.create_user("bob"))
    hub.start_server("bob")
    assert bob.run(READ_BOTH_PATHS).split() == ["True", digest]

    (shared / "house-prices").mkdir()
    (shared / "house-prices/train.csv").write_text("Id,SalePrice\n1,208500\n")
    assert "house-prices" not in ann.names("input")
    hub.stop_server("ann")
    hub.start_server("ann")
    assert {"titanic", "house-prices", "mine.csv"} <= ann.names("input")
    assert ann.read_text("input/house-prices/train.csv").startswith("Id,SalePrice")


def test_idle_servers_are_culled_and_files_kept(make_hub):
    hub = make_hub(env={"KAGGLE_HUB_CULL_IDLE_SECONDS": "6"})
    cal = UserServer(hub, "cal", hub.create_user("cal"))
    hub.start_server("cal")
    cal.put_text("code/keep.txt", "still here\n")
    wait_for(
        lambda: hub.api("GET", "/users/cal").json()["servers"] == {},
        60,
        interval=1,
        what="the idle culler stopping cal's server",
    )
    assert "idle-culler" in hub.log()
    hub.start_server("cal")
    assert cal.read_text("code/keep.txt") == "still here\n"


@pytest.mark.reliability
def test_a_busy_server_outlives_a_short_cull_timeout_and_an_idle_one_does_not(make_hub):
    timeout = 10
    hub = make_hub(env={"KAGGLE_HUB_CULL_IDLE_SECONDS": str(timeout)})
    eva = UserServer(hub, "eva", hub.create_user("eva"))
    hub.start_server("eva")
    busy_until = time.monotonic() + 3 * timeout
    while time.monotonic() < busy_until:  # someone working in JupyterLab
        assert eva.get("api/contents/code").status_code == 200
        assert hub.api("GET", "/users/eva").json()["servers"], "a busy server was culled"
        time.sleep(2)
    began = time.monotonic()
    wait_for(
        lambda: hub.api("GET", "/users/eva").json()["servers"] == {},
        4 * timeout,
        interval=1,
        what="the culler stopping eva's idle server",
    )
    print(f"idle server culled {time.monotonic() - began:.1f} s after its last use")


def test_the_home_page_says_what_a_users_files_take_on_the_disk(make_hub):
    hub = make_hub(env={"KAGGLE_HUB_ADMINS": "vic"})
    server = UserServer(hub, "vic", hub.create_user("vic"))
    hub.start_server("vic")
    server.put_text("code/big.txt", "x" * 3_000_000)
    pages = hub.browser_session("vic")

    def home():
        return " ".join(pages.get(f"{hub.url}/hub/home", timeout=30).text.split())

    # The page never waits for the measurement: the first view asks for it.
    assert "Your files: measuring their size; reload the page in a moment." in home()
    found = wait_for(
        lambda: re.search(
            r"Your files take ([\d.]+) MB \(measured just now\); "
            r"the disk they are on has [\d.]+ [KMGT]?B free\.",
            home(),
        ),
        30,
        interval=0.5,
        what="the size on the home page",
    )
    assert 2.8 <= float(found.group(1)) < 4, found.group(0)


def test_deleted_users_volume_is_quarantined_not_handed_to_the_next_owner(make_hub, docker_client):
    hub = make_hub()
    dan = UserServer(hub, "dan", hub.create_user("dan"))
    hub.start_server("dan")
    dan.put_text("code/secret.txt", "dan's\n")
    hub.stop_server("dan")
    assert hub.api("DELETE", "/users/dan").status_code == 204

    new_dan = UserServer(hub, "dan", hub.create_user("dan"))
    hub.start_server("dan")
    assert new_dan.names("code") == set()

    listing = kaggle_hub(hub.env, "volumes")
    assert listing.returncode == 0, listing.stderr
    quarantined = [line for line in listing.stdout.splitlines() if "quarantined" in line]
    assert len(quarantined) == 1 and " dan " in quarantined[0]
    kept = quarantined[0].split()[0]
    assert kept.startswith(f"{hub.prefix}-dan-work-deleted-")

    # A mistyped server name is refused, naming the servers dan has; nothing is made.
    typo = kaggle_hub(hub.env, "restore", "dan", "--server", "olf", "--from-volume", kept)
    assert typo.returncode == 2
    assert (
        "dan has no volume for server 'olf' (dan's volumes: the default server). Check the "
        "names, or add --new" in typo.stderr
    )
    assert f"{hub.prefix}-dan--olf-work" not in kaggle_hub(hub.env, "volumes").stdout
    # An admin gives the old files back, into a new named server of the new dan.
    restored = kaggle_hub(
        hub.env, "restore", "dan", "--server", "old", "--new", "--from-volume", kept
    )
    assert restored.returncode == 0, restored.stderr
    hub.start_server("dan", "old")
    old = UserServer(hub, "dan", new_dan.headers["Authorization"].split()[1], "old")
    assert old.read_text("code/secret.txt") == "dan's\n"
    again = kaggle_hub(hub.env, "restore", "dan", "--server", "old", "--from-volume", kept)
    assert again.returncode == 2 and "is in use by" in again.stderr
    hub.stop_server("dan", "old")
    again = kaggle_hub(hub.env, "restore", "dan", "--server", "old", "--from-volume", kept)
    assert again.returncode == 2 and "is not empty" in again.stderr


def test_deleted_volumes_can_be_removed_instead_and_the_log_says_so(make_hub, docker_client):
    hub = make_hub(env={"KAGGLE_HUB_DELETED_VOLUMES": "remove"})
    hub.create_user("gil")
    hub.start_server("gil")
    hub.stop_server("gil")
    assert hub.api("DELETE", "/users/gil").status_code == 204
    assert docker_client.volumes(filters={"name": f"{hub.prefix}-gil"})["Volumes"] in (None, [])
    assert f"Removed volume {hub.prefix}-gil-work of deleted server" in hub.log()
