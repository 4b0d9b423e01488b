"""The built-in login: sign-up, an admin's approval, login, deletion, in the browser."""

import secrets

import pytest

from ..browser import native_login, native_signup, screenshot, wait_for_lab
from ..hubs import finish_hub, module_failed, new_hub

pytestmark = pytest.mark.e2e

HUB_ENV = {"KAGGLE_HUB_ADMINS": "ann"}


@pytest.fixture(scope="module")
def native_hub(request, tmp_path_factory, docker_client, image):
    hub = new_hub(tmp_path_factory, image, env=HUB_ENV)
    hub.start()
    yield hub
    finish_hub(docker_client, hub, module_failed(request))


def logged_in(page, hub):
    """True if the page's cookies are a hub session."""
    return page.request.get(f"{hub.url}/hub/api/user").status == 200


def password():
    return secrets.token_urlsafe(12)


@pytest.fixture(scope="module")
def admin_password():
    return password()


@pytest.fixture
def admin(native_hub, new_page, admin_password):
    """ann's page, logged in; ann is named in KAGGLE_HUB_ADMINS, so approved on sign-up."""
    page = new_page()
    if native_hub.api("GET", "/users/ann").json().get("last_activity") is None:
        native_signup(page, native_hub, "ann", admin_password)
    assert native_login(page, native_hub, "ann", admin_password).status == 302
    return page


def test_sign_up_then_admin_approval_then_login(native_hub, new_page, admin):
    erin, erin_password = new_page(), password()
    message = native_signup(erin, native_hub, "erin", erin_password)
    assert "admin" in message.lower()
    refused = native_login(erin, native_hub, "erin", erin_password)
    assert refused.status == 200  # the login form again
    assert not logged_in(erin, native_hub)

    admin.goto(f"{native_hub.url}/hub/authorize")
    admin.get_by_role("row").filter(has_text="erin").get_by_role("button", name="Authorize").click()
    admin.get_by_role("row").filter(has_text="erin").get_by_role(
        "button", name="Unauthorize"
    ).wait_for()

    assert native_login(erin, native_hub, "erin", erin_password).status == 302
    assert logged_in(erin, native_hub)
    assert {"code", "input"} <= wait_for_lab(erin, "erin")
    screenshot(erin, "native-login-jupyterlab")


def test_a_user_the_admin_added_needs_no_approval(native_hub, new_page, admin):
    admin.goto(f"{native_hub.url}/hub/admin")
    admin.get_by_role("button", name="Add Users").click()
    admin.fill("[data-testid=user-textarea]", "frank")
    admin.get_by_role("button", name="Add Users").click()
    admin.get_by_test_id("user-row-frank").wait_for()

    frank, frank_password = new_page(), password()
    native_signup(frank, native_hub, "frank", frank_password)
    assert native_login(frank, native_hub, "frank", frank_password).status == 302


def test_a_deleted_user_cannot_log_in(native_hub, new_page, admin):
    gus, gus_password = new_page(), password()
    native_hub.create_user("gus")
    native_signup(gus, native_hub, "gus", gus_password)
    assert native_login(gus, native_hub, "gus", gus_password).status == 302

    admin.goto(f"{native_hub.url}/hub/admin")
    admin.get_by_test_id("user-row-gus").get_by_role("button", name="Edit User").click()
    admin.get_by_role("button", name="Delete user").click()
    admin.get_by_test_id("user-row-ann").wait_for()
    assert native_hub.api("GET", "/users/gus").status_code == 404

    gus.goto(f"{native_hub.url}/hub/home")
    assert "/hub/login" in gus.url
    again = new_page()
    assert native_login(again, native_hub, "gus", gus_password).status == 200
    assert not logged_in(again, native_hub)


def test_sign_up_answers_name_the_rule_and_what_comes_next(native_hub, new_page):
    page = new_page()
    assert "too short: use at least 10 characters" in native_signup(
        page, native_hub, "gil", "short"
    )
    assert "one of the most common ones" in native_signup(page, native_hub, "gil", "1234567890")
    assert "cannot be a user name" in native_signup(page, native_hub, "gil smith", password())
    pending = native_signup(page, native_hub, "gil", password())
    assert "You are signed up as gil. An admin must approve the account" in pending
    assert "Approve sign-ups" in pending
    screenshot(page, "signup-pending")
