"""Per-member disk quotas on a real engine and real filesystems: a volume made with a quota
is an ext4 file loop-mounted on the hub's machine, so a member who fills theirs is refused
by the filesystem itself while a teammate goes on writing; the member, the admin page and
`kaggle-hub volumes` see the use; a reboot (the mount gone) loses nothing; a raised quota
grows the volume; a deleted member's volume leaves no file behind."""

import os
import secrets
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from spawner.server import quotas

from ..browser import page_screenshot
from ..hubprocess import UserServer, kaggle_hub
from ..hubs import remove_prefixed, standby_of
from ..lanes import PREFIX_ROOT
from ..waiting import wait_for

pytestmark = pytest.mark.docker

WRITE = """
import os
try:
    with open({path!r}, "wb") as f:
        f.write(os.urandom({size}))
        f.flush()
        os.fsync(f.fileno())
    print("written")
except OSError as e:
    print("refused:", e.strerror)
"""
ROOM = "import shutil; print(shutil.disk_usage('/tmp/working').total // 2**20)"


def write(server, path, mib):
    return server.run(WRITE.format(path=path, size=mib * 2**20)).strip()


def quota_volume(client, hub, user):
    info = client.inspect_volume(f"{hub.prefix}-{user}-work")
    return info, info["Labels"]["org.kaggle-team-hub.quota-file"], info["Options"]["device"]


def measured(page):
    """The home page once it shows the volume's use against the quota, else None."""
    return " ".join(page.split()) if "quota (" in page else None


def test_a_member_who_fills_their_quota_is_refused_alone_and_sees_it(
    make_hub, docker_client, image, tmp_path
):
    folder = tmp_path / "quotas"
    env = {
        "KAGGLE_HUB_DISK_QUOTA": "64m",
        "KAGGLE_HUB_QUOTA_DIR": str(folder),
        "KAGGLE_HUB_ADMINS": "ada",
        "KAGGLE_HUB_STANDBY_MAX": "4",
    }
    hub = make_hub(env=env)
    ann = UserServer(hub, "ann", hub.create_user("ann"))
    bob = UserServer(hub, "bob", hub.create_user("bob"))
    hub.create_user("ada")
    hub.start_server("ann")
    hub.start_server("bob")

    # Each volume is a filesystem of its own of the quota's size, in the quota folder.
    info, quota_file, mounted_on = quota_volume(docker_client, hub, "ann")
    assert os.path.dirname(quota_file) == str(folder) and os.path.ismount(mounted_on)
    assert 48 <= int(ann.run(ROOM)) <= 64
    # Sparse: the machine's disk holds what is written, not the quota.
    assert os.stat(quota_file).st_blocks * 512 < 16 * 2**20

    # ann fills hers: the write past it fails for her; bob writes on.
    assert write(ann, "big.bin", 40) == "written"
    assert write(ann, "more.bin", 30) == "refused: No space left on device"
    assert write(bob, "data.bin", 30) == "written"
    # Saving in JupyterLab says why, and what to do.
    body = {"type": "file", "format": "text", "content": "x" * 4 * 2**20}
    r = ann.request("PUT", "api/contents/notes.txt", json=body, timeout=60)
    assert r.status_code == 507, r.text
    assert "your working volume is full" in r.json()["message"]

    # She sees it on her home page, warned; the admin sees it; so does the admin command.
    password = secrets.token_urlsafe(12)
    session = hub.browser_session("ann", password)
    # The first view asks for a measurement; the next ones show it.
    page = wait_for(
        lambda: measured(session.get(f"{hub.url}/hub/home", timeout=30).text),
        30,
        interval=0.5,
        what="the home page shows the quota",
    )
    assert "Your files take " in page and "MB quota (9" in page, page
    assert "Delete files you no longer need, or ask an admin for more room" in page
    shown = page_screenshot(hub, "ann", password, "home", ".kth-quota")
    assert "of your" in shown and "quota" in shown, shown
    hub.browser_session("ada", password)
    admin = page_screenshot(hub, "ada", password, "admin", ".kth-quotas")
    assert "ann: " in admin and "bob: " in admin, admin
    assert admin.index("ann: ") < admin.index("bob: "), "fullest first"
    listed = kaggle_hub(hub.env, "volumes")
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert lines[0].split() == ["VOLUME", "USER", "SERVER", "SIZE", "QUOTA", "STATUS"]
    ann_line = next(line for line in lines if f"{hub.prefix}-ann-work" in line)
    assert "MB (9" in ann_line or "MB (100%)" in ann_line, ann_line
    assert "nearly full" in listed.stdout

    # A reboot stops every container (her standby too, once the hub has made it) and
    # unmounts the volume: nothing can write to the machine's disk in its place, and the
    # next start mounts it again with the files; the start warns her (and the hub's log).
    hub.stop_server("ann")
    docker_client.remove_container(standby_of(hub, docker_client, "ann")["Id"], force=True)
    subprocess.run(["umount", mounted_on], check=True)
    blind = subprocess.run(
        ["docker", "run", "--rm", "-v", f"{info['Name']}:/data", image, "touch", "/data/x"],
        capture_output=True,
        text=True,
    )
    assert blind.returncode != 0 and "Operation not permitted" in blind.stderr, blind.stderr
    hub.start_server("ann")
    assert f"Volume {info['Name']} is nearly full: " in (hub.workdir / "hub.log").read_text()
    assert os.path.ismount(mounted_on)
    assert ann.names() == {"code", "input", "team"}
    assert "big.bin" in ann.names("code")

    # A raised quota grows her volume at its next start, files kept.
    hub.stop_server("ann")
    hub.stop()
    hub.start(env={"KAGGLE_HUB_DISK_QUOTA": "128m"})
    hub.start_server("ann")
    assert 112 <= int(ann.run(ROOM)) <= 128
    assert write(ann, "more.bin", 30) == "written"
    assert ann.names() == {"code", "input", "team"}
    assert "big.bin" in ann.names("code")

    # A deleted member's files are kept (quarantined) and the quota's file goes.
    hub.stop_server("ann")
    r = hub.api("DELETE", "/users/ann")
    assert r.status_code == 204, r.text
    assert not os.path.exists(quota_file) and not os.path.exists(mounted_on)
    kept = [
        v["Name"]
        for v in docker_client.volumes().get("Volumes") or []
        if v["Name"].startswith(f"{hub.prefix}-ann-work-deleted-")
    ]
    assert len(kept) == 1, kept


def test_uses_at_once_after_a_reboot_mount_a_volume_once(docker_client, tmp_path_factory):
    # A start and the home page measuring the volume both found it unmounted: mounted twice,
    # one over the other, a later grow reached only the top one.
    prefix = f"{PREFIX_ROOT}-{secrets.token_hex(3)}"
    # A folder named after the prefix: another worker's sweep of leftovers leaves it alone.
    folder = tmp_path_factory.mktemp(prefix)
    name = f"{prefix}-ann-work"
    quotas.create(docker_client, name, {}, quotas.Quota(str(folder / "quotas"), 16 * 2**20))
    info = docker_client.inspect_volume(name)
    target = quotas.mount_point(info)
    try:
        subprocess.run(["umount", target], check=True)  # as a reboot leaves it
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda _: quotas.ready(info), range(8)))
        found = subprocess.run(
            ["findmnt", "-n", "-o", "SOURCE", "--mountpoint", target],
            capture_output=True,
            text=True,
        ).stdout.split()
        assert len(found) == 1, found
    finally:
        while os.path.ismount(target):
            subprocess.run(["umount", target], check=True)
        remove_prefixed(docker_client, prefix)
