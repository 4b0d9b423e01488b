"""Operating the hub: Prometheus metrics with the documented token, pages that say what
this is and whose it is, a quiet start and a prompt stop."""

import re
import sys

import pytest
import requests

from spawner.settings.environment import REPO_DIR

pytestmark = pytest.mark.docker


def test_metrics_need_the_token_from_the_data_dir(make_hub):
    hub = make_hub()
    url = f"{hub.url}/hub/metrics"
    assert requests.get(url, timeout=30).status_code == 403
    token = (hub.workdir / "data/metrics_token").read_text().strip()
    r = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 200, r.text
    assert "jupyterhub_running_servers" in r.text
    # The token reads metrics and nothing else.
    users = requests.get(
        f"{hub.url}/hub/api/users", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
    assert users.status_code == 403


ANNOUNCING_DROPIN = """
# As JupyterHub's docs show it: a new dict.
c.JupyterHub.template_vars = {"announcement_login": "Log in with your <b>team</b> password."}
"""


def test_pages_carry_the_product_and_team_name_the_announcement_and_link_approval(make_hub):
    hub = make_hub(
        env={
            "KAGGLE_HUB_TEAM_NAME": "Churn <Squad>",
            "KAGGLE_HUB_ADMINS": "ann",
            "KAGGLE_HUB_ANNOUNCEMENT": "Down Friday 18:00 <for> the disk swap",
        },
        dropins={"50-announce.py": ANNOUNCING_DROPIN},
    )
    login = requests.get(f"{hub.url}/hub/login", timeout=30)
    login.encoding = "utf-8"
    assert "<title>Kaggle Team Hub · Churn &lt;Squad&gt;</title>" in login.text
    assert "<strong>Kaggle Team Hub</strong> for Churn &lt;Squad&gt;" in login.text
    assert "Log in with your <b>team</b> password." in login.text
    session = hub.browser_session("ann")
    home = session.get(f"{hub.url}/hub/home", timeout=30)
    assert 'id="kth-approve-link" href="/hub/authorize">\n          Approve sign-ups' in home.text
    assert 'href="/hub/change-password">Change password</a>' in home.text
    for page in ("home", "secrets", "authorize", "admin", "token"):
        text = session.get(f"{hub.url}/hub/{page}", timeout=30).text
        assert "Down Friday 18:00 &lt;for&gt; the disk swap" in text, page
        assert "<strong>Kaggle Team Hub</strong>" in text, page
    admin = session.get(f"{hub.url}/hub/admin", timeout=30).text
    assert "quarantined volume" in admin and "deleted for good" not in admin


def ignored_signals(pid):
    mask = re.search(r"^SigIgn:\s*([0-9a-f]+)$", open(f"/proc/{pid}/status").read(), re.M)
    return int(mask.group(1), 16)


def test_a_hub_started_in_the_background_starts_quietly_and_its_culler_obeys_sigint(make_hub):
    hub = make_hub(env={"KAGGLE_HUB_CULL_IDLE_SECONDS": "3600"}, start=False)
    # A shell's background job ignores SIGINT, and so would the services the hub starts:
    # JupyterHub stops them with SIGINT and waits 10 s on one that ignores it.
    command = [sys.executable, "-m", "jupyterhub", "-f", str(REPO_DIR / "jupyterhub_config.py")]
    hub.start(command=["sh", "-c", 'trap "" INT; exec "$@"', "sh", *command])
    children = open(f"/proc/{hub.process.pid}/task/{hub.process.pid}/children").read().split()
    culler = [
        pid
        for pid in children
        if b"jupyterhub_idle_culler" in open(f"/proc/{pid}/cmdline", "rb").read()
    ]
    assert culler, "the idle culler runs"
    assert not ignored_signals(culler[0]) & (1 << 1), "the idle culler ignores SIGINT"
    start_log = hub.log()
    assert "deprecated" not in start_log
    assert "Warning" not in start_log
    proxy_log = (hub.workdir / "data/proxy/traefik.log").read_text()
    assert " WRN " not in proxy_log, "traefik warns at start"


def test_cookies_stay_out_of_other_sites_requests(make_hub, docker_client):
    hub = make_hub(env={"KAGGLE_HUB_ADMINS": "ann"})
    session = hub.browser_session("ann")
    home = session.get(f"{hub.url}/hub/home", timeout=30)
    assert home.headers["X-Content-Type-Options"] == "nosniff"
    names = {cookie.name: cookie.get_nonstandard_attr("SameSite") for cookie in session.cookies}
    assert {"_xsrf", "jupyterhub-hub-login", "jupyterhub-session-id"} <= set(names)
    assert set(names.values()) == {"Lax"}, names
    # User servers set their own cookies with the same options.
    hub.create_user("ann")
    hub.start_server("ann")
    env = docker_client.inspect_container(f"{hub.prefix}-ann")["Config"]["Env"]
    assert 'JUPYTERHUB_COOKIE_OPTIONS={"samesite": "Lax"}' in env
