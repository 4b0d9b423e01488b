"""The built-in login's forms: a login POST with a field missing, or with a password bcrypt
cannot check (over 72 bytes), is a failed login like any other, not a 500; so is such a
current password on the change-password page (no stored password is that long). A login
post JupyterHub refuses (an expired form token) shows the form again with the reason."""

from jinja2 import ChoiceLoader, FileSystemLoader, TemplateNotFound
from nativeauthenticator.handlers import TEMPLATE_DIR, ChangePasswordHandler, LoginHandler
from tornado.escape import url_escape
from tornado.httputil import url_concat

from .signup import BCRYPT_MAX_BYTES

FAILED = "Invalid username or password."


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
        if username and password and len(password.encode()) <= BCRYPT_MAX_BYTES:
            return await super().post()
        self.log.info("Refused a login form without a name, or with an unusable password")
        self.finish(await self._render(login_error=FAILED, username=username))


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
