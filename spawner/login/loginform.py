"""The built-in login's form: a POST with a field missing, or with a password bcrypt cannot
check (over 72 bytes), is a failed login like any other, not a 500."""

from nativeauthenticator.handlers import LoginHandler

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
