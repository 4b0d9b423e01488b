"""The built-in login's forms: a login POST with a field missing, or with a password bcrypt
cannot check (over 72 bytes), is a failed login like any other, not a 500; so is such a
current password on the change-password page (no stored password is that long)."""

from nativeauthenticator.handlers import ChangePasswordHandler, LoginHandler

from .signup import BCRYPT_MAX_BYTES

FAILED = "Invalid username or password."


class KaggleLoginHandler(LoginHandler):
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
