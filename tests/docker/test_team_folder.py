"""The team folder on a real engine: one volume in every member's server, each file's
maker recorded by what wrote it (JupyterLab's save, a notebook's pandas) and shown on the
home page in Chromium, kept across a restart of the hub and of the servers, listed by
`kaggle-hub volumes`, under another name when set, and gone when turned off; a read-only
member's JupyterLab says so, and refuses a new folder there with the reason. (Read-only
members under every login are in test_every_login; backups in test_backup_sets.)"""

import os
import secrets

import pytest

from ..browser import fresh_context, native_login, playwright_driver, screenshot
from ..hubprocess import UserServer, kaggle_hub

pytestmark = pytest.mark.docker

PANDAS = """
import pandas as pd
pd.DataFrame({"fold": [0, 1], "auc": [0.91, 0.93]}).to_csv("../crew/scores.csv")
print(open("../crew/scores.csv").read().splitlines()[0])
"""
SHELL_COPY = """
import subprocess
subprocess.run(["cp", "/tmp/working/crew/scores.csv", "/tmp/working/crew/copy.csv"], check=True)
print("copied")
"""


def maker(docker_client, hub, name):
    folder = docker_client.inspect_volume(f"{hub.prefix}-team")["Mountpoint"]
    try:
        return os.getxattr(os.path.join(folder, name), "user.kaggle-team-hub.owner").decode()
    except OSError:
        return None


def home_page_rows(hub, user, password):
    """The team folder's rows on ``user``'s home page in Chromium, as text."""
    with playwright_driver() as driver, fresh_context(driver) as context:
        page = context.new_page()
        native_login(page, hub, user, password, "/hub/home")
        page.wait_for_selector("#kth-team-folder", timeout=30_000)
        screenshot(page, f"team-folder-home-{user}")
        return [" ".join(row.split()) for row in page.locator(".kth-team-file").all_inner_texts()]


def reader_in_jupyterlab(hub, user, password, folder, file):
    """What JupyterLab shows ``user`` who opens ``folder/file``, and then makes a new folder
    in ``folder`` from the file browser: ``(the file's tab, the dialog)`` as text."""
    with playwright_driver() as driver, fresh_context(driver) as context:
        page = context.new_page()
        native_login(page, hub, user, password)
        page.goto(f"{hub.url}/user/{user}/lab/tree/{folder}/{file}")
        tab = page.locator(".jp-FileEditor").locator("..")
        page.locator(".jp-FileEditor .cm-content").wait_for(timeout=90_000)
        # On a loaded machine JupyterLab draws its file browser's toolbar well after the
        # file: a person waits for the button as for the file (a click once waited 30 s).
        page.click("[data-command='filebrowser:create-new-directory']", timeout=90_000)
        dialog = page.locator(".jp-Dialog-content")
        try:
            dialog.wait_for(timeout=30_000)
        finally:
            screenshot(page, f"team-folder-read-only-{user}")
        return " ".join(tab.inner_text().split()), " ".join(dialog.inner_text().split())


def test_members_work_in_one_team_folder_and_see_who_made_each_file(make_hub, docker_client):
    hub = make_hub(
        env={"KAGGLE_HUB_TEAM_FOLDER": "crew", "KAGGLE_HUB_TEAM_READ_ONLY_GROUP": "guests"}
    )
    ann = UserServer(hub, "ann", hub.create_user("ann"))
    bob = UserServer(hub, "bob", hub.create_user("bob"))
    hub.start_server("ann")
    hub.start_server("bob")

    # One folder for both: ann's save is in bob's file browser, bob's notebook output in ann's.
    assert "crew" in ann.names()
    ann.put_text("crew/plan.md", "# Week 1\n")
    assert bob.read_text("crew/plan.md") == "# Week 1\n"
    assert bob.run(PANDAS, notebook="code/train.ipynb").strip() == ",fold,auc"
    assert ann.read_text("crew/scores.csv").startswith(",fold,auc")
    assert bob.run(SHELL_COPY).strip() == "copied"
    assert maker(docker_client, hub, "plan.md") == "ann"
    assert maker(docker_client, hub, "scores.csv") == "bob"
    assert maker(docker_client, hub, "copy.csv") is None
    # A rename keeps the maker; a teammate's later save does not take the file over.
    moved = ann.request("PATCH", "api/contents/crew/plan.md", json={"path": "crew/week1.md"})
    assert moved.status_code == 200, moved.text
    bob.put_text("crew/week1.md", "# Week 1\nbob's notes\n")
    assert maker(docker_client, hub, "week1.md") == "ann"

    # The home page lists the latest files with their makers.
    password = secrets.token_urlsafe(12)
    hub.browser_session("ann", password)
    rows = home_page_rows(hub, "ann", password)
    assert rows[0].startswith("week1.md ann "), rows
    assert [row.split()[:2] for row in rows[1:]] == [
        ["copy.csv", "not"],
        ["scores.csv", "bob"],
    ], rows

    # A member of the read-only group who saves there in JupyterLab is told why not.
    hub.create_user("cy")
    assert hub.api("POST", "/groups/guests", json={"users": ["cy"]}).status_code == 201
    hub.browser_session("cy", password)
    tab, told = reader_in_jupyterlab(hub, "cy", password, "crew", "week1.md")
    assert "file is read-only" in tab, tab
    assert "the team folder is read-only for members of the group 'guests'" in told, told
    assert ann.read_text("crew/week1.md") == "# Week 1\nbob's notes\n"
    hub.stop_server("cy")

    # Kept across restarts of the hub and the servers; an admin sees it among the volumes.
    hub.stop_server("ann")
    hub.stop()
    hub.start()
    hub.start_server("ann")
    assert ann.read_text("crew/week1.md") == "# Week 1\nbob's notes\n"
    listed = kaggle_hub(hub.env, "volumes")
    assert listed.returncode == 0, listed.stderr
    assert any(
        line.split()[:2] == [f"{hub.prefix}-team", "(team"] for line in listed.stdout.splitlines()
    ), listed.stdout

    # Turned off: servers started from then on have no team folder; its files stay.
    hub.stop_server("ann")
    hub.stop()
    hub.start(env={**hub.env, "KAGGLE_HUB_TEAM_FOLDER": "off"})
    hub.start_server("ann")
    # (Docker made the folder the team folder was mounted on: it stays, empty.)
    assert ann.names("crew") == set()
    assert maker(docker_client, hub, "scores.csv") == "bob"
