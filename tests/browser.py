"""Debian's Chromium driven by Playwright, talking to loopback only."""

from base64 import b64encode
from contextlib import contextmanager
from hashlib import sha256
from pathlib import Path
from urllib.parse import quote

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from playwright.sync_api import sync_playwright

from spawner.settings.environment import REPO_DIR

# Debian's Chromium, kept off the host's network-change notices (see the script).
CHROMIUM = str(Path(__file__).with_name("chromium_without_netlink.py"))
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Loopback only: 127.0.0.1, and localhost with its subdomains, which Chromium resolves to
# loopback itself (the hub's user subdomains are tested there). A hub that needs a
# registrable name (cookies for a parent domain) is reached as LOOPBACK_NAME and its
# subdomains, which the browser maps to 127.0.0.1 (``loopback_name_args``). Chromium
# enforces it itself, with no round trip through the test per request: every other address
# goes to a "proxy" on a closed loopback port and fails there, as Chromium never proxies
# loopback nor the bypassed names.
LOOPBACK_NAME = "hub.test"
CLOSED_PORT = 9
LOOPBACK_ONLY = [
    f"--proxy-server=http://127.0.0.1:{CLOSED_PORT}",
    f"--proxy-bypass-list={LOOPBACK_NAME};*.{LOOPBACK_NAME}",
]
SCREENSHOTS = REPO_DIR / "test-output/screenshots"


_RUNNING = []
# The Chromium of each set of arguments, for the running driver: a launch costs some 0.7
# CPU-seconds, and every context is a fresh profile whichever browser it is opened in.
_BROWSERS = {}


@contextmanager
def playwright_driver():
    """Playwright's driver, started here or the one already running in this process (its
    sync API runs one at a time: the session's, or a test's own)."""
    if _RUNNING:
        yield _RUNNING[0]
        return
    with sync_playwright() as driver:
        _RUNNING.append(driver)
        try:
            yield driver
        finally:
            _RUNNING.clear()
            for browser in _BROWSERS.values():
                browser.close()
            _BROWSERS.clear()


def _browser(driver, args):
    browser = _BROWSERS.get(args)
    if browser is None or not browser.is_connected():
        browser = _BROWSERS[args] = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=[*ARGS, *LOOPBACK_ONLY, *args]
        )
    return browser


def trust_args(ca_pem):
    """Chromium arguments that trust certificates chaining to the CA ``ca_pem``, as a
    team member who installed the hub's CA would (by the CA's public key)."""
    ca = x509.load_pem_x509_certificate(ca_pem)
    spki = ca.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return [f"--ignore-certificate-errors-spki-list={b64encode(sha256(spki).digest()).decode()}"]


def loopback_name_args():
    """Chromium arguments that resolve LOOPBACK_NAME and its subdomains to 127.0.0.1."""
    return [f"--host-resolver-rules=MAP {LOOPBACK_NAME} 127.0.0.1, MAP *.{LOOPBACK_NAME} 127.0.0.1"]


@contextmanager
def fresh_context(driver, args=()):
    """A new browser profile: no cookies, no storage, no cache. Requests off loopback fail."""
    context = _browser(driver, tuple(args)).new_context()
    context.set_default_timeout(30_000)
    try:
        yield context
    finally:
        context.close()


def screenshot(page, name):
    """Save a screenshot under test-output/screenshots and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = Path(SCREENSHOTS / f"{name}.png")
    page.screenshot(path=str(path), full_page=True)
    return path


def login_url(hub, next_page=None):
    """The hub's login page; with ``next_page`` (a hub path such as ``/hub/home``), the login
    lands there, as from a link to that page, instead of on the user's server (which the
    login starts, and whose JupyterLab the page then loads)."""
    return f"{hub.url}/hub/login" + (f"?next={quote(next_page)}" if next_page else "")


def oidc_login(page, hub, login, next_page=None):
    """Log in at ``hub`` through its OpenID Connect provider's form as ``login``, landing
    on ``next_page`` if given (``login_url``).

    Returns the response of the hub's OAuth callback (a redirect, or the hub's 403 page).
    """
    page.goto(login_url(hub, next_page))
    page.get_by_text("Sign in with OpenID Connect").click()
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any")
    with page.expect_response(lambda r: "/hub/oauth_callback" in r.url) as callback:
        page.click("button[type=submit]")
        page.wait_for_selector("input[name=login]", state="detached")
        page.wait_for_load_state()
        if "/interaction/" in page.url:
            # The provider's consent page, shown once per browser session.
            page.click("button[type=submit]")
    page.wait_for_load_state()
    _leave_pending_page(page)
    return callback.value


def wait_for_lab(page, user):
    """Wait until ``user``'s JupyterLab shows its file browser; return the names listed."""
    page.wait_for_url(f"**/user/{user}/lab**", timeout=90_000)
    page.wait_for_selector(".jp-DirListing-item", timeout=60_000)
    return set(page.locator(".jp-DirListing-itemName").all_inner_texts())


def native_signup(page, hub, user, password, admin_code=True):
    """Sign up on the hub's own sign-up page; return the message it shows. The page is
    opened as the owner's printed link opens it, with the admin code (unless
    ``admin_code`` is False), which a named admin's sign-up needs."""
    code = getattr(hub, "admin_code", None) if admin_code else None
    page.goto(f"{hub.url}/hub/signup" + (f"?admin_code={code}" if code else ""))
    page.fill("input[name=username]", user)
    page.fill("input[name=signup_password]", password)
    page.fill("input[name=signup_password_confirmation]", password)
    page.click("#signup_submit")
    return page.locator("#kth-signup-result").inner_text()


def native_login(page, hub, user, password, next_page=None):
    """Log in on the hub's own login page, landing on ``next_page`` if given
    (``login_url``); return the response to the form."""
    page.goto(login_url(hub, next_page))
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.click("#login_submit")
    if posted.value.status in (302, 303):
        # The old login page is still "loaded" until the redirect's page replaces it: wait
        # for that, or the test's next navigation races the redirect's.
        page.wait_for_url(lambda url: url != posted.value.url)
    page.wait_for_load_state()
    _leave_pending_page(page)
    return posted.value


def _leave_pending_page(page):
    """A login starts the user's server; while it starts, the hub's pending page moves on
    to it by itself. Wait until it has, or the test's next navigation races that one."""
    if "/hub/spawn-pending/" in page.url:
        page.wait_for_url(lambda url: "/hub/spawn-pending/" not in url, timeout=90_000)


def page_screenshot(hub, user, password, path, selector):
    """The text of ``selector`` on hub page ``path`` as ``user`` sees it in Chromium."""
    with playwright_driver() as driver, fresh_context(driver) as context:
        page = context.new_page()
        native_login(page, hub, user, password, next_page=f"/hub/{path}")
        page.wait_for_selector(selector, timeout=30_000)
        screenshot(page, f"{path}-{user}-{selector.strip('.#')}")
        return page.inner_text(selector)
