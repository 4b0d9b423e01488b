"""Approving sign-ups of the built-in login: a page that lists them, waiting ones first,
then the names an admin added that have no password yet (with the link that sets one),
then logins locked after wrong passwords; changes only a POST with the hub's XSRF token
makes.

NativeAuthenticator approves and discards on a plain GET, so any page that sends an admin's
browser to ``/hub/authorize/NAME`` would approve NAME. Here those addresses answer a GET by
showing the list, changing nothing.
"""

import time

from jupyterhub import orm
from jupyterhub.scopes import needs_scope
from jupyterhub.utils import url_path_join
from nativeauthenticator.handlers import LocalBase
from nativeauthenticator.orm import UserInfo
from tornado import web
from tornado.escape import url_escape

from ..accounts import departures

APPROVE, REVOKE = "approve", "revoke"


def pending_signups(user):
    """How many sign-ups wait for approval, for the navigation bar of an admin (else 0)."""
    if user is None or not user.admin:
        return 0
    return user.db.query(UserInfo).filter(UserInfo.is_authorized.is_(False)).count()


class ApprovalBase(LocalBase):
    def list_url(self, anchor=""):
        url = url_path_join(self.hub.base_url, "authorize")
        return f"{url}#{anchor}" if anchor else url

    def sign_up(self, username):
        info = UserInfo.find(self.db, username)
        if info is None:
            raise web.HTTPError(404, f"There is no sign-up of {username!r}.")
        return info


class ApprovalPageHandler(ApprovalBase):
    """GET /hub/authorize: sign-ups waiting for approval, then approved ones."""

    @needs_scope("admin:users")
    async def get(self):
        accounts = self.db.query(UserInfo).order_by(UserInfo.username).all()
        signed_up = {a.username for a in accounts}
        added = [
            u.name
            for u in self.db.query(orm.User).order_by(orm.User.name)
            if u.name not in signed_up
        ]
        html = await self.render_template(
            "approval.html",
            waiting=[a for a in accounts if not a.is_authorized],
            approved=[a for a in accounts if a.is_authorized],
            added=[(name, self.setup_link(name)) for name in added],
            locks=[
                (lock, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(lock.until)))
                for lock in self.authenticator.lockouts.locks()
            ],
            lock_limit=self.authenticator.lockouts.limit,
            lock_minutes=self.authenticator.lockouts.seconds // 60,
            ask_email=self.authenticator.ask_email_on_signup,
        )
        self.finish(html)

    def setup_link(self, name):
        """The sign-up page with ``name`` filled in, as an address to send its owner."""
        path = url_path_join(self.hub.base_url, "signup")
        return f"{self.request.protocol}://{self.request.host}{path}?username={url_escape(name)}"


class ChangeHandler(ApprovalBase):
    """An address that changes a sign-up: a GET (a link, another site's page) only shows
    the list; subclasses make the change on POST."""

    @needs_scope("admin:users")
    async def get(self, username):
        self.redirect(self.list_url())


class ApproveHandler(ChangeHandler):
    """POST /hub/authorize/NAME with action=approve or action=revoke."""

    @needs_scope("admin:users")
    async def post(self, username):
        action = self.get_body_argument("action", "")
        if action not in (APPROVE, REVOKE):
            raise web.HTTPError(400, "Say action=approve or action=revoke.")
        info = self.sign_up(username)
        info.is_authorized = action == APPROVE
        self.db.commit()
        self.log.info("%s %s the sign-up of %s", self.current_user.name, action, username)
        self.redirect(self.list_url(username))


class DiscardHandler(ChangeHandler):
    """POST /hub/discard/NAME: forget a sign-up that is still waiting. A hub user of that
    name leaves as on the admin page: servers stopped, files put away, secrets deleted."""

    @needs_scope("admin:users")
    async def post(self, username):
        info = self.sign_up(username)
        if info.is_authorized:
            raise web.HTTPError(
                409, f"{username!r} is approved: revoke the approval before discarding it."
            )
        user = self.find_user(username)
        if user is not None:
            await departures.remove_user(self, user)
        else:
            self.db.delete(info)
            self.db.commit()
        self.log.info("%s discarded the sign-up of %s", self.current_user.name, username)
        self.redirect(self.list_url())


class UnlockHandler(ChangeHandler):
    """POST /hub/unlock/NAME: lift every lock on logins as NAME."""

    @needs_scope("admin:users")
    async def post(self, username):
        lifted = self.authenticator.lockouts.unlock(username)
        self.log.info("%s lifted %d login lock(s) on %s", self.current_user.name, lifted, username)
        self.redirect(self.list_url("kth-locks"))


HANDLERS = {
    r"/authorize": ApprovalPageHandler,
    r"/authorize/([^/]*)": ApproveHandler,
    r"/discard/([^/]*)": DiscardHandler,
    r"/unlock/([^/]*)": UnlockHandler,
}
