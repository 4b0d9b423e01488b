"""Operating the hub: Prometheus metrics with the documented token, and pages that say
what this is and whose it is."""

import pytest
import requests

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


def test_pages_carry_the_product_and_team_name_and_link_approval(make_hub):
    hub = make_hub(env={"KAGGLE_HUB_TEAM_NAME": "Churn <Squad>", "KAGGLE_HUB_ADMINS": "ann"})
    login = requests.get(f"{hub.url}/hub/login", timeout=30)
    login.encoding = "utf-8"
    assert "<title>Kaggle Team Hub · Churn &lt;Squad&gt;</title>" in login.text
    assert "<strong>Kaggle Team Hub</strong> for Churn &lt;Squad&gt;" in login.text
    home = hub.browser_session("ann").get(f"{hub.url}/hub/home", timeout=30)
    assert 'href="/hub/authorize">Approve sign-ups</a>' in home.text
    assert 'href="/hub/change-password">Change password</a>' in home.text
