"""A team member at another machine: Chromium, trusting the team's CA, logs in over HTTPS
and lands in JupyterLab."""

import pytest
import trustme

from ..browser import native_login, native_signup, screenshot, trust_args, wait_for_lab

pytestmark = [pytest.mark.e2e, pytest.mark.tls]


def test_login_over_https_lands_in_jupyterlab(make_hub, new_page, tmp_path):
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    # The chain as a self-signed hub serves it: the server's certificate, then the CA's.
    (tmp_path / "cert.pem").write_bytes(cert.cert_chain_pems[0].bytes() + ca.cert_pem.bytes())
    cert.private_key_pem.write_to_path(tmp_path / "key.pem")
    ca.cert_pem.write_to_path(tmp_path / "ca.pem")
    hub = make_hub(
        env={
            "KAGGLE_HUB_TLS": "files",
            "KAGGLE_HUB_TLS_CERT": str(tmp_path / "cert.pem"),
            "KAGGLE_HUB_TLS_KEY": str(tmp_path / "key.pem"),
            "KAGGLE_HUB_ADMINS": "ann",
            "KAGGLE_HUB_TEAM_NAME": "Churn Squad",
        },
        verify=str(tmp_path / "ca.pem"),
    )
    page = new_page(trust_args(ca.cert_pem.bytes()))
    native_signup(page, hub, "ann", "a-long-team-password")
    screenshot(page, "https-signup")
    assert native_login(page, hub, "ann", "a-long-team-password").status == 302
    assert page.url.startswith("https://127.0.0.1:")
    assert {"code", "input"} <= wait_for_lab(page, "ann")
    screenshot(page, "https-lab")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["jupyterhub-session-id"]["secure"] is True
