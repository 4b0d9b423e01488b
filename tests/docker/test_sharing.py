"""Sharing a running server with a teammate, in two real browsers: the owner shares from the
home page, the teammate opens the owner's JupyterLab from theirs, and "Stop sharing" ends
the teammate's access at once, their open kernel connection included; a share with a
group lets its members in, browser and token alike."""

import secrets
import time

import pytest
import websocket

from ..browser import (
    fresh_context,
    native_login,
    native_signup,
    playwright_driver,
    screenshot,
    wait_for_lab,
)
from ..hubprocess import UserServer
from ..waiting import wait_for

pytestmark = pytest.mark.docker


def log_in(context, hub, user):
    """A page of ``user``'s, signed up and logged in, on the hub's home page."""
    page = context.new_page()
    password = secrets.token_urlsafe(12)
    native_signup(page, hub, user, password, admin_code=False)
    native_login(page, hub, user, password, "/hub/home")
    return page


def authorize_if_asked(page):
    """A teammate opening a server not their own is asked by the hub to authorize it (once
    per grant); click the hub's button when it is shown."""
    page.wait_for_url(lambda url: "/hub/api/oauth2/authorize" in url or "/lab" in url)
    if "/hub/api/oauth2/authorize" in page.url:
        screenshot(page, "sharing-guest-authorize")
        page.get_by_role("button", name="Authorize").click()


def socket_closed(ws):
    """Whether the server has closed kernel websocket ``ws`` (messages before the close are
    read and dropped)."""
    try:
        while True:
            if ws.recv() in ("", None):
                return True
    except websocket.WebSocketTimeoutException:
        return False
    except websocket.WebSocketConnectionClosedException:
        return True


def test_a_shared_server_is_opened_by_the_teammate_and_unshared_at_once(make_hub):
    hub = make_hub()
    ann_token, bob_token = hub.create_user("ann"), hub.create_user("bob")
    hub.start_server("ann")
    ann = UserServer(hub, "ann", ann_token)
    ann.put_text("code/plan.md", "ann's plan\n")
    # bob's own token reaches ann's server only while she shares it.
    bob_in_ann = UserServer(hub, "ann", bob_token)
    assert bob_in_ann.get("api/contents/code").status_code == 403

    with playwright_driver() as driver, fresh_context(driver) as ann_browser:
        with fresh_context(driver) as bob_browser:
            ann_page = log_in(ann_browser, hub, "ann")
            card = ann_page.locator(".kth-share")
            card.locator(".kth-share-with").fill("nobody-here")
            card.locator("button[type=submit]").click()
            card.get_by_text("Not shared: No such user: nobody-here").wait_for()
            card.locator(".kth-share-with").fill("bob")
            card.locator("button[type=submit]").click()
            card.get_by_text("Shared with bob", exact=True).wait_for()
            screenshot(ann_page, "sharing-owner")

            bob_page = log_in(bob_browser, hub, "bob")
            bob_page.locator("#kth-shared-with-me a", has_text="ann's server").click()
            authorize_if_asked(bob_page)
            assert "code" in wait_for_lab(bob_page, "ann")
            screenshot(bob_page, "sharing-guest-lab")
            assert bob_in_ann.read_text("code/plan.md") == "ann's plan\n"

            kernel_id = bob_in_ann.start_kernel("x = 1")
            with bob_in_ann.kernel_socket(kernel_id, timeout=5) as ws:
                card.get_by_role("button", name="Stop sharing").click()
                card.get_by_text("bob no longer has access.").wait_for()
                stopped = time.monotonic()
                wait_for(
                    lambda: bob_in_ann.get("api/contents/code").status_code == 403,
                    5,
                    interval=0.2,
                    what="bob's requests to ann's server refused",
                )
                assert wait_for(lambda: socket_closed(ws), 10, what="bob's kernel socket closed")
                took = time.monotonic() - stopped
            print(f"sharing stopped: requests and kernel socket ended within {took:.1f} s")
            bob_page.reload()
            assert "403" in bob_page.inner_text("body")
            # ann's own work goes on.
            assert ann.in_kernel(kernel_id, "print(x + 1)").strip() == "2"

            # A link: made by the owner, accepted by the teammate after logging in.
            card.get_by_role("button", name="Make a link").click()
            message = card.locator(".kth-share-message")
            message.get_by_text("Send this link to one teammate").wait_for()
            link = message.inner_text().rsplit(": ", 1)[1].strip()
            assert link.startswith(f"{hub.url}/hub/accept-share?code=")
            # ann's server trusts the hub's last answer about bob (a refusal, just above)
            # for auth_cache_seconds (1 s): a link is opened later than that.
            bob_page.wait_for_timeout(1500)
            bob_page.goto(link)
            bob_page.get_by_role("button", name="Accept invitation").click()
            authorize_if_asked(bob_page)
            assert "code" in wait_for_lab(bob_page, "ann")
            assert bob_in_ann.get("api/contents/code").status_code == 200
            ann_page.reload()
            ann_page.locator(".kth-share").get_by_text("Shared with bob", exact=True).wait_for()

            # With a group an admin made: bob gets in through it alone, until it is stopped.
            r = hub.api("POST", "/groups/analysts", json={"users": ["bob"]})
            assert r.status_code == 201, r.text
            card = ann_page.locator(".kth-share")
            card.get_by_role("listitem").filter(has_text="Shared with bob").get_by_role(
                "button", name="Stop sharing"
            ).click()
            card.get_by_text("bob no longer has access.").wait_for()
            # Refused first, so that what lets bob in below is the group's share alone.
            wait_for(
                lambda: bob_in_ann.get("api/contents/code").status_code == 403,
                5,
                interval=0.2,
                what="bob refused once his own share stopped",
            )
            card.locator(".kth-share-kind").select_option("group")
            card.locator(".kth-share-with").fill("analysts")
            card.locator("button[type=submit]").click()
            card.get_by_text("Shared with group analysts", exact=True).wait_for()
            screenshot(ann_page, "sharing-group")
            wait_for(
                lambda: bob_in_ann.get("api/contents/code").status_code == 200,
                5,
                interval=0.2,
                what="bob in ann's server through the group",
            )
            bob_page.goto(f"{hub.url}/hub/home")
            bob_page.locator("#kth-shared-with-me a", has_text="ann's server").click()
            authorize_if_asked(bob_page)
            assert "code" in wait_for_lab(bob_page, "ann")
            card.get_by_role("button", name="Stop sharing").click()
            card.get_by_text("group analysts no longer has access.").wait_for()
            wait_for(
                lambda: bob_in_ann.get("api/contents/code").status_code == 403,
                5,
                interval=0.2,
                what="bob refused once the group's share stopped",
            )
