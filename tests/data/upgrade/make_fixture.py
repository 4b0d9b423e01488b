"""Makes the hub state of the previous release (jupyterhub 5.5.4) that the upgrade test
starts from: ``jupyterhub.sqlite`` and ``settings_admins.json`` in this folder, and
``accounts.json`` (passwords and a token the test logs in with).

It was run once, on the release before the upgrade, from the checkout:

    .venv/bin/python -m tests.data.upgrade.make_fixture kaggle-team-hub:lite-jh5.5.4

The state holds: ann (admin from KAGGLE_HUB_ADMINS, signed up and logged in), bob
(signed up, approved by ann on the approval page, with a named server ``gpu`` started and
stopped and an API token), cat (added by ann as an admin on the admin page) and dan (a
sign-up still waiting for approval).
"""

import json
import shutil
import sys
import tempfile
from pathlib import Path

import docker
import requests

from ...hubprocess import Hub
from ...hubs import remove_prefixed

HERE = Path(__file__).resolve().parent
PASSWORDS = {"ann": "ann-upgrade-2026", "bob": "bob-upgrade-2026", "dan": "dan-upgrade-2026"}


def sign_up(hub, user):
    session = requests.Session()
    session.get(f"{hub.url}/hub/signup", timeout=30)
    xsrf = session.cookies.get("_xsrf", path="/hub/")
    form = {
        "username": user,
        "signup_password": PASSWORDS[user],
        "signup_password_confirmation": PASSWORDS[user],
        "_xsrf": xsrf,
    }
    assert session.post(f"{hub.url}/hub/signup", data=form, timeout=30).status_code == 200
    return session, xsrf


def log_in(hub, user, session, xsrf):
    form = {"username": user, "password": PASSWORDS[user], "_xsrf": xsrf}
    r = session.post(f"{hub.url}/hub/login", data=form, timeout=30, allow_redirects=False)
    assert r.status_code == 302, r.text


def main(image):
    with tempfile.TemporaryDirectory() as workdir:
        hub = Hub(workdir, image, "kth-fixture", env={"KAGGLE_HUB_ADMINS": "ann"}).start()
        try:
            ann, xsrf = sign_up(hub, "ann")
            log_in(hub, "ann", ann, xsrf)
            bob, bob_xsrf = sign_up(hub, "bob")
            assert ann.get(f"{hub.url}/hub/authorize/bob", timeout=30).status_code == 200
            log_in(hub, "bob", bob, bob_xsrf)
            sign_up(hub, "dan")
            ann_token = hub.create_user("ann")
            r = hub.api(
                "POST",
                "/users/cat",
                json={"admin": True},
                headers={"Authorization": f"token {ann_token}"},
            )
            assert r.status_code == 201, r.text
            bob_token = hub.create_user("bob")
            hub.start_server("bob", "gpu")
            hub.stop_server("bob", "gpu")
        finally:
            hub.stop()
            remove_prefixed(docker.APIClient(version="auto"), "kth-fixture")
        data = Path(workdir) / "data"
        for name in ("jupyterhub.sqlite", "settings_admins.json"):
            shutil.copy(data / name, HERE / name)
    accounts = {"passwords": PASSWORDS, "bob_token": bob_token, "jupyterhub": "5.5.4"}
    (HERE / "accounts.json").write_text(json.dumps(accounts, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
