"""The built-in login: sign-up, an admin's approval, login, deletion, in the browser."""

import base64
import re
import secrets

import pytest
import requests

from ..browser import (
    LOOPBACK_NAME,
    loopback_name_args,
    native_login,
    native_signup,
    screenshot,
    wait_for_lab,
)
from ..hubprocess import kaggle_hub
from ..hubs import finish_hub, module_failed, new_hub
from ..kagglenotebook import put_secret
from ..waiting import wait_for

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
    assert native_login(page, native_hub, "ann", admin_password, "/hub/home").status == 302
    return page


def test_sign_up_then_admin_approval_then_login(native_hub, new_page, admin):
    erin, erin_password = new_page(), password()
    message = native_signup(erin, native_hub, "erin", erin_password)
    assert "admin" in message.lower()
    refused = native_login(erin, native_hub, "erin", erin_password)
    assert refused.status == 200  # the login form again
    assert not logged_in(erin, native_hub)

    # The navigation bar counts the waiting sign-ups and leads to them.
    admin.goto(f"{native_hub.url}/hub/home")
    assert admin.locator("#kth-pending").inner_text() == "1"
    admin.click("#kth-approve-link")
    waiting = admin.locator("#kth-waiting").get_by_test_id("signup-erin")
    waiting.wait_for()
    assert waiting.get_by_text("Waiting for approval").is_visible()
    screenshot(admin, "approval-waiting")
    waiting.get_by_role("button", name="Approve").click()
    approved = admin.locator("#kth-approved").get_by_test_id("signup-erin")
    approved.get_by_role("button", name="Revoke approval").wait_for()
    assert approved.get_by_text("Approved: can log in").is_visible()
    assert admin.locator("#kth-pending").count() == 0
    screenshot(admin, "approval-approved")

    assert native_login(erin, native_hub, "erin", erin_password).status == 302
    assert logged_in(erin, native_hub)
    assert {"code", "input"} <= wait_for_lab(erin, "erin")
    # The status bar shows the server's own memory use against its limit.
    status_bar = erin.locator("#jp-main-statusbar")
    meter = re.compile(r"Mem: [0-9.]+ / [0-9.]+ [GM]B")
    wait_for(lambda: meter.search(status_bar.inner_text()), 30, what="the memory meter")
    screenshot(erin, "native-login-jupyterlab")


def test_a_user_the_admin_added_needs_no_approval(native_hub, new_page, admin):
    admin.goto(f"{native_hub.url}/hub/admin")
    admin.get_by_role("button", name="Add Users").click()
    admin.fill("[data-testid=user-textarea]", "frank")
    admin.get_by_role("button", name="Add Users").click()
    admin.get_by_test_id("user-row-frank").wait_for()
    assert admin.locator("#kth-admin-message").inner_text() == (
        "Added frank: each logs in once its owner chooses a password on the sign-up page; the "
        "links to send them are on the Sign-ups page."
    )

    frank, frank_password = new_page(), password()
    native_signup(frank, native_hub, "frank", frank_password)
    assert native_login(frank, native_hub, "frank", frank_password, "/hub/home").status == 302


def test_a_deleted_user_cannot_log_in(native_hub, new_page, admin):
    gus, gus_password = new_page(), password()
    native_hub.create_user("gus")
    native_signup(gus, native_hub, "gus", gus_password)
    assert native_login(gus, native_hub, "gus", gus_password).status == 302

    admin.goto(f"{native_hub.url}/hub/admin")
    admin.get_by_test_id("user-row-gus").get_by_role("button", name="Edit User").click()
    # Deleting asks first; cancelling keeps the user.
    asked = []
    admin.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    admin.get_by_role("button", name="Delete user").click()
    wait_for(lambda: asked, 10, what="the confirmation")
    assert asked[0].startswith("Delete gus? They lose access at once")
    assert "quarantined volume" in asked[0]
    assert native_hub.api("GET", "/users/gus").status_code == 200
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.get_by_role("button", name="Delete user").click()
    admin.get_by_test_id("user-row-ann").wait_for()
    assert native_hub.api("GET", "/users/gus").status_code == 404

    gus.goto(f"{native_hub.url}/hub/home")
    assert "/hub/login" in gus.url
    again = new_page()
    assert native_login(again, native_hub, "gus", gus_password).status == 200
    assert not logged_in(again, native_hub)


def test_shutting_the_hub_down_asks_first_and_says_what_follows(native_hub, admin):
    admin.goto(f"{native_hub.url}/hub/admin")
    asked = []
    admin.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    admin.get_by_role("button", name="Shutdown Hub").click()
    wait_for(lambda: asked, 10, what="the confirmation")
    assert asked[0].startswith("Shut down the hub for the whole team?")
    assert "run as the service (./deploy/service), it starts again within 5 s" in asked[0]
    assert "Running servers and everyone's files are kept." in asked[0]
    admin.wait_for_timeout(1000)
    assert native_hub.process.poll() is None
    assert native_hub.api("GET", "/").status_code == 200


class SourceAddress(requests.adapters.HTTPAdapter):
    """Requests sent from another loopback address: another machine, as the hub sees it."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


def login_from(address, hub, user, password):
    """Log in with the form from ``address``: (status, the page or where it sent us)."""
    session = requests.Session()
    session.mount("http://", SourceAddress(address))
    session.get(f"{hub.url}/hub/login", timeout=30)
    answer = session.post(
        f"{hub.url}/hub/login",
        data={"username": user, "password": password, "_xsrf": session.cookies["_xsrf"]},
        allow_redirects=False,
        timeout=30,
    )
    return answer.status_code, answer.headers.get("Location") or answer.text


def login_error(page):
    return page.locator(".login_error").inner_text()


def test_wrong_passwords_lock_the_guessers_address_not_the_owner(native_hub, new_page, admin):
    lena_password = password()
    native_hub.create_user("lena")
    native_signup(new_page(), native_hub, "lena", lena_password)
    guesser = new_page()
    for attempt in range(4):
        native_login(guesser, native_hub, "lena", f"wrong-{attempt}-password")
        assert login_error(guesser) == "Invalid username or password."
    native_login(guesser, native_hub, "lena", "wrong-4-password")
    locked = login_error(guesser)
    assert locked.startswith("Too many wrong passwords for lena from this address")
    assert "is locked until" in locked and "(in 10 min)" in locked
    assert "An admin can lift the lock on the hub's Sign-ups page" in locked
    # Even the right password is refused from there, with the same reason, and the name stays.
    native_login(guesser, native_hub, "lena", lena_password)
    assert login_error(guesser).startswith("Too many wrong passwords for lena")
    assert guesser.input_value("#username_input") == "lena"
    screenshot(guesser, "login-locked")
    # lena, at her own desk (another address), logs in as usual.
    assert login_from("127.0.0.2", native_hub, "lena", lena_password)[0] == 302

    admin.goto(f"{native_hub.url}/hub/authorize")
    row = admin.get_by_test_id("locked-lena")
    assert row.get_by_text("127.0.0.1").is_visible()
    screenshot(admin, "approval-locked")
    row.get_by_role("button", name="Unlock").click()
    admin.get_by_text("No login is locked.").wait_for()
    assert native_login(guesser, native_hub, "lena", lena_password, "/hub/home").status == 302


def test_a_name_an_admin_added_is_led_to_choosing_its_password(native_hub, new_page, admin):
    native_hub.create_user("mona")
    mona = new_page()
    native_login(mona, native_hub, "mona", "anything-at-all")
    assert login_error(mona) == (
        "An admin added mona, and no password is chosen for it yet: choose one on the "
        "sign-up page (/hub/signup?username=mona), then log in."
    )
    # The admin has the link to send, on the Sign-ups page.
    admin.goto(f"{native_hub.url}/hub/authorize")
    link = admin.get_by_test_id("added-mona").locator("input").input_value()
    assert link == f"{native_hub.url}/hub/signup?username=mona"
    screenshot(admin, "approval-added")
    mona.goto(link)
    assert mona.input_value("#username_input") == "mona"
    mona.fill("input[name=signup_password]", "too-short")
    mona.fill("input[name=signup_password_confirmation]", "too-short")
    mona.click("#signup_submit")
    assert "too short" in mona.locator("#kth-signup-result").inner_text()
    assert mona.input_value("#username_input") == "mona"  # kept after the refusal
    good = password()
    mona.fill("input[name=signup_password]", good)
    mona.fill("input[name=signup_password_confirmation]", good)
    mona.click("#signup_submit")
    assert (
        mona.locator("#kth-signup-result").inner_text() == "You are signed up as mona: log in now."
    )
    assert mona.locator("#signup_submit").count() == 0  # no empty form again
    screenshot(mona, "signup-done")
    mona.click("#kth-signup-login")
    assert native_login(mona, native_hub, "mona", good, "/hub/home").status == 302
    admin.goto(f"{native_hub.url}/hub/authorize")
    assert admin.get_by_test_id("added-mona").count() == 0


def test_the_plain_http_warning_shows_only_off_this_machine(native_hub, new_page):
    here = new_page()
    here.goto(f"{native_hub.url}/hub/login")
    assert here.locator("#login_submit").is_visible()
    assert not here.locator("#insecure-login-warning").is_visible()
    screenshot(here, "login-loopback")
    named = new_page(loopback_name_args())
    named.goto(f"http://{LOOPBACK_NAME}:{native_hub.port}/hub/login")
    assert (
        "password crosses the network unencrypted"
        in named.locator("#insecure-login-warning").inner_text()
    )


def test_a_member_on_an_admin_page_is_told_so_in_words_with_a_way_out(native_hub, new_page):
    olga, olga_password = new_page(), password()
    native_hub.create_user("olga")
    native_signup(olga, native_hub, "olga", olga_password)
    native_login(olga, native_hub, "olga", olga_password, "/hub/admin")
    page = olga.locator("#kth-error")
    assert page.get_by_role("heading").inner_text() == "403: Forbidden"
    assert "This page is for the hub's admins." in page.inner_text()
    assert "You are logged in as olga." in page.inner_text()
    screenshot(olga, "forbidden")
    olga.get_by_role("link", name="your home page").click()
    olga.wait_for_url("**/hub/home")


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


def test_approval_and_discard_need_a_post_with_the_hubs_token(native_hub, new_page, admin):
    native_signup(new_page(), native_hub, "ivan", password())
    native_signup(new_page(), native_hub, "jack", password())

    # A page elsewhere sending the admin's browser to the old addresses changes nothing.
    for path in ("authorize/ivan", "discard/jack"):
        admin.goto(f"{native_hub.url}/hub/{path}")
        assert admin.url.endswith("/hub/authorize")
    waiting = admin.locator("#kth-waiting")
    assert waiting.get_by_test_id("signup-ivan").is_visible()
    assert waiting.get_by_test_id("signup-jack").is_visible()
    # A POST without the hub's XSRF token, as a cross-site form would send it, is refused.
    forged = admin.request.post(
        f"{native_hub.url}/hub/authorize/ivan",
        form={"action": "approve"},
        headers={"Origin": "http://attacker.example", "Referer": "http://attacker.example/"},
    )
    assert forged.status == 403
    admin.reload()
    assert admin.locator("#kth-waiting").get_by_test_id("signup-ivan").is_visible()

    with admin.expect_navigation():
        admin.get_by_test_id("signup-jack").get_by_role("button", name="Discard").click()
    admin.locator("#kth-waiting").get_by_test_id("signup-ivan").wait_for()
    assert admin.get_by_test_id("signup-jack").count() == 0


def test_adding_users_with_one_bad_name_adds_the_others_and_says_why(native_hub, admin):
    admin.goto(f"{native_hub.url}/hub/admin")
    admin.get_by_role("button", name="Add Users").click()
    admin.fill("[data-testid=user-textarea]", "hal\ndave smith\nida")
    admin.get_by_role("button", name="Add Users").click()
    admin.get_by_test_id("user-row-hal").wait_for()
    admin.get_by_test_id("user-row-ida").wait_for()
    message = admin.locator("#kth-admin-message")
    assert message.is_visible()
    assert "Not added: 'dave smith' cannot be a user name here" in message.inner_text()
    assert "Added: hal, ida." in message.inner_text()
    assert "Each added name logs in once its owner chooses a password" in message.inner_text()
    screenshot(admin, "admin-add-bad-name")
    # The message belongs to that action: the next one clears it.
    admin.get_by_test_id("user-row-hal").get_by_role("button", name="Edit User").click()
    admin.get_by_role("button", name="Delete user").wait_for()
    assert not message.is_visible()
    assert native_hub.api("GET", "/users/dave smith").status_code == 404


def test_logging_out_says_so_and_offers_to_log_in_again(native_hub, new_page):
    page, kim_password = new_page(), password()
    native_hub.create_user("kim")
    native_signup(page, native_hub, "kim", kim_password)
    assert native_login(page, native_hub, "kim", kim_password).status == 302
    page.goto(f"{native_hub.url}/hub/logout")
    assert page.get_by_role("heading", name="You are logged out").is_visible()
    assert "Your server keeps running" in page.locator("#kth-logged-out").inner_text()
    screenshot(page, "logged-out")
    assert not logged_in(page, native_hub)
    with page.expect_navigation():
        page.click("#kth-login-again")
    assert "/hub/login" in page.url
    assert page.locator("input[name=password]").is_visible()


def test_a_password_too_long_for_bcrypt_and_an_empty_login_form_get_answers(native_hub, new_page):
    page = new_page()
    too_long = "é" * 40  # 80 bytes: over bcrypt's 72
    assert "The password is too long: use at most 72 bytes" in native_signup(
        page, native_hub, "lou", too_long
    )
    native_hub.create_user("lou")
    native_signup(page, native_hub, "lou", password())
    refused = native_login(page, native_hub, "lou", too_long)
    assert refused.status == 200  # the login form again, not an error page
    assert not logged_in(page, native_hub)

    page.goto(f"{native_hub.url}/hub/login")
    xsrf = page.locator("input[name=_xsrf]").get_attribute("value")
    empty = page.request.post(f"{native_hub.url}/hub/login", form={"_xsrf": xsrf})
    assert empty.status == 200
    assert "Invalid username or password" in empty.text()


def test_a_user_whose_server_died_is_told_why(native_hub, new_page, docker_client):
    page, ned_password = new_page(), password()
    native_hub.create_user("ned")
    native_signup(page, native_hub, "ned", ned_password)
    assert native_login(page, native_hub, "ned", ned_password).status == 302
    wait_for_lab(page, "ned")
    docker_client.kill(f"{native_hub.prefix}-ned")
    wait_for(
        lambda: not native_hub.api("GET", "/users/ned").json()["servers"], 10, what="ned stopped"
    )
    page.goto(f"{native_hub.url}/hub/home")
    banner = page.locator(".kth-server-stopped")
    assert banner.inner_text() == (
        "Your server stopped unexpectedly (exit code 137: it was killed (SIGKILL): a stop that "
        "did not finish in time, a docker kill, or the machine running out of memory). Start "
        "it again."
    )
    screenshot(page, "server-died")


def test_a_user_keeps_secrets_on_the_secrets_page_and_never_sees_a_value_again(native_hub, admin):
    # A login can land in JupyterLab (a running server); the hub's pages have the link.
    admin.goto(f"{native_hub.url}/hub/home")
    admin.get_by_role("link", name="Secrets").click()
    admin.wait_for_selector("#kth-secret-form")
    admin.fill("#kth-secret-name", "WANDB_API_KEY")
    admin.fill("#kth-secret-value", "wandb-first-value")
    admin.get_by_role("button", name="Save").click()
    assert admin.locator("#kth-secrets-message").inner_text() == "Added WANDB_API_KEY."
    assert admin.locator("[data-testid=secret-WANDB_API_KEY]").is_visible()
    admin.fill("#kth-secret-name", "WANDB_API_KEY")
    admin.fill("#kth-secret-value", "wandb-second-value")
    admin.get_by_role("button", name="Save").click()
    assert admin.locator("#kth-secrets-message").inner_text() == "Replaced WANDB_API_KEY."
    screenshot(admin, "secrets-page")
    assert "wandb-first-value" not in admin.content()
    assert "wandb-second-value" not in admin.content()

    admin.fill("#kth-secret-name", "not a name")
    admin.fill("#kth-secret-value", "x")
    admin.get_by_role("button", name="Save").click()
    assert "cannot be a secret's name" in admin.locator("#kth-secrets-error").inner_text()

    admin.locator("[data-testid=secret-WANDB_API_KEY]").get_by_role("button", name="Delete").click()
    assert admin.locator("#kth-secrets-message").inner_text() == "Deleted WANDB_API_KEY."
    assert admin.get_by_text("You have no secrets yet.").is_visible()


def cookie_token(value):
    """The token inside a tornado signed cookie (version 2): signed, not encrypted, so the
    server it is sent to can read it."""
    rest = value.strip('"').removeprefix("2|")
    fields = []
    for _ in range(4):
        length, _, rest = rest.partition(":")
        fields.append(rest[: int(length)])
        rest = rest[int(length) + 1 :]
    return base64.b64decode(fields[3]).decode()


@pytest.mark.reliability
def test_a_members_server_cannot_use_a_visiting_admins_secrets(native_hub, admin):
    """An admin opens mia's server and authorizes it; the token JupyterHub then hands
    mia's server (in the jupyterhub-user-mia cookie) reaches none of the admin's secrets."""
    native_hub.create_user("mia")
    native_hub.start_server("mia")
    assert put_secret(native_hub, native_hub.create_user("ann"), "ADMIN_KEY", "ann's").ok
    admin.goto(f"{native_hub.url}/user/mia/lab")
    if "/oauth2/authorize" in admin.url:
        admin.get_by_role("button", name="Authorize").click()
    admin.wait_for_url("**/user/mia/lab**")
    (cookie,) = [c for c in admin.context.cookies() if c["name"] == "jupyterhub-user-mia"]
    visitor = cookie_token(cookie["value"])
    as_visitor = {"Authorization": f"token {visitor}"}
    assert requests.get(f"{native_hub.url}/hub/api/user", headers=as_visitor).json()["name"] == (
        "ann"
    ), "the cookie holds the admin's token"
    for method, path in (("GET", ""), ("PUT", "/ADMIN_KEY"), ("DELETE", "/ADMIN_KEY")):
        r = requests.request(
            method,
            f"{native_hub.url}/hub/api/secrets{path}",
            headers=as_visitor,
            json={"value": "mia's"},
            timeout=30,
        )
        assert r.status_code == 403, (method, r.text)
    kaggle = requests.post(
        f"{native_hub.url}/hub/kaggle/requests/GetUserSecretByLabelRequest",
        json={"Label": "ADMIN_KEY"},
        headers={"X-Kaggle-Authorization": f"Bearer {visitor}"},
        timeout=30,
    )
    assert kaggle.status_code == 403
    listing = requests.get(
        f"{native_hub.url}/hub/api/secrets",
        headers={"Authorization": f"token {native_hub.create_user('ann')}"},
        timeout=30,
    ).json()
    assert [s["name"] for s in listing["secrets"]] == ["ADMIN_KEY"]


def sign_up_at(page, url, user, password):
    """Sign up on the page at ``url`` (a link with or without an admin code)."""
    page.goto(url)
    page.fill("input[name=username]", user)
    page.fill("input[name=signup_password]", password)
    page.fill("input[name=signup_password_confirmation]", password)
    page.click("#signup_submit")
    return page.locator("#kth-signup-result").inner_text()


@pytest.mark.reliability
def test_a_named_admin_is_claimed_only_with_the_owners_code(make_hub, new_page):
    """Whoever reaches the hub first cannot sign up as the admin the owner named: the
    sign-up needs the link the owner's terminal prints, and each claim renews its code."""
    hub = make_hub(env={"KAGGLE_HUB_ADMINS": "root-ann,root-bea"})
    assert "Admin root-ann, root-bea has not signed up yet" in hub.log()

    stranger = new_page()
    for url in (f"{hub.url}/hub/signup", f"{hub.url}/hub/signup?admin_code=0123456789abcdef"):
        refused = sign_up_at(stranger, url, "root-ann", password())
        assert "is named an admin of this hub" in refused
        assert "kaggle-hub admin-code" in refused
    screenshot(stranger, "signup-admin-without-code")

    # The owner runs the installed command on the hub's machine and opens its link.
    printed = kaggle_hub(hub.env, "admin-code")
    assert printed.returncode == 0, printed.stderr
    (link,) = [w for w in printed.stdout.split() if w.startswith(f"{hub.url}/hub/signup?")]
    ann, ann_password = new_page(), password()
    assert "log in now" in sign_up_at(ann, link, "root-ann", ann_password)
    assert native_login(ann, hub, "root-ann", ann_password).status == 302
    assert hub.api("GET", "/users/root-ann").json()["admin"] is True

    # The link that claimed root-ann claims nobody else; the command prints the new one.
    assert "is named an admin" in sign_up_at(new_page(), link, "root-bea", password())
    (renewed,) = [w for w in kaggle_hub(hub.env, "admin-code").stdout.split() if "?" in w]
    assert renewed != link
    assert "log in now" in sign_up_at(new_page(), renewed, "root-bea", password())
