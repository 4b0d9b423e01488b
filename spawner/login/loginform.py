"""The built-in login's forms: a login POST with a field missing, or with a password bcrypt
cannot check (over 72 bytes), is a failed login like any other, not a 500; so is such a
current password on the change-password page (no stored password is that long). A login
post JupyterHub refuses (an expired form token) shows the form again with the reason.

A refused login says why when saying so gives nothing away to a guesser: the name is
locked for this address (``lockout``), the password was right but the sign-up waits for
approval, or an admin added the name and nobody has chosen its password yet.
"""

import time

from jinja2 import ChoiceLoader, FileSystemLoader, TemplateNotFound
from jupyterhub.utils import url_path_join
from nativeauthenticator.handlers import TEMPLATE_DIR, ChangePasswordHandler, LoginHandler
from tornado.escape import url_escape
from tornado.httputil import url_concat

from ..hub.services import TRUSTED_PEERS, true_address
from .lockout import locked_message
from .signup import BCRYPT_MAX_BYTES

FAILED = "Invalid username or password."


def not_approved_message(name):
    return (
        f"{name} has signed up, and an admin has not approved the account yet: ask one of "
        "the hub's admins to approve it on the Sign-ups page."
    )


def no_password_message(name, signup_url):
    return (
        f"An admin added {name}, and no password is chosen for it yet: choose one on the "
        f"sign-up page ({signup_url}), then log in."
    )


def with_native_templates(env):
    """Let the jinja2 environment ``env`` find NativeAuthenticator's templates too."""
    try:
        env.get_template("native-login.html")
    except TemplateNotFound:
        env.loader = ChoiceLoader([env.loader, FileSystemLoader([TEMPLATE_DIR])])


class KaggleLoginHandler(LoginHandler):
    def _render(self, login_error=None, username=None, sync=False, **error):
        # JupyterHub 5.3+ renders a refused login post here, with sync=True and the error
        # page's fields; NativeAuthenticator's form takes neither, and its templates are
        # only in the hub's asynchronous template environment (an empty 403).
        if sync:
            with_native_templates(self.settings["jinja2_env_sync"])
        next_url = self.get_argument("next", default="")
        return self.render_template(
            "native-login.html",
            sync=sync,
            next=url_escape(next_url),
            username=username,
            login_error=login_error,
            custom_html=self.authenticator.custom_html,
            login_url=self.settings["login_url"],
            enable_signup=self.authenticator.enable_signup,
            two_factor_auth=self.authenticator.allow_2fa,
            authenticator_login_url=url_concat(
                self.authenticator.login_url(self.hub.base_url), {"next": next_url}
            ),
        )

    async def post(self):
        username = self.get_body_argument("username", "", strip=False)
        password = self.get_body_argument("password", "", strip=False)
        if not (username and password and len(password.encode()) <= BCRYPT_MAX_BYTES):
            self.log.info("Refused a login form without a name, or with an unusable password")
            self.finish(await self._render(login_error=FAILED, username=username))
            return
        authenticator = self.authenticator
        name = authenticator.normalize_username(username)
        address = true_address(self.request, self.settings.get(TRUSTED_PEERS, ()))
        until = authenticator.lockouts.locked_until(name, address)
        if until is not None:
            self.log.warning("Refused a login as %s from %s: locked", name, address)
            error = locked_message(name, until, time.time())
            self.finish(await self._render(login_error=error, username=username))
            return
        data = {arg: self.get_argument(arg, strip=False) for arg in self.request.arguments}
        user = await self.login_user(data)
        if user:
            authenticator.lockouts.succeeded(name, address)
            self._jupyterhub_user = user
            self.redirect(self.get_next_url(user))
            return
        error = self.refusal(name, password, address)
        self.finish(await self._render(login_error=error, username=username))

    def refusal(self, name, password, address):
        """Why the login as ``name`` failed, as far as its sender may know."""
        authenticator = self.authenticator
        account = authenticator.get_user(name)
        if account is not None and not account.is_authorized:
            if account.is_valid_password(password):
                return not_approved_message(name)
        elif account is None and self.find_user(name) is not None:
            signup = url_path_join(self.hub.base_url, "signup") + f"?username={url_escape(name)}"
            return no_password_message(name, signup)
        until = authenticator.lockouts.failed(name, address)
        if until is None:
            return FAILED
        self.log.warning("Locked logins as %s from %s after wrong passwords", name, address)
        return locked_message(name, until, time.time())


class KaggleChangePasswordHandler(ChangePasswordHandler):
    async def post(self):
        old = self.get_body_argument("old_password", "", strip=False)
        if len(old.encode()) <= BCRYPT_MAX_BYTES:
            return await super().post()
        html = await self.render_template(
            "change-password.html",
            user_name=self.current_user.name,
            result_message="Your current password was incorrect. Please try again.",
            alert="alert-danger",
        )
        self.finish(html)
