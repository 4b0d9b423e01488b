"""The built-in login's sign-up answer: a refused sign-up names the rule it broke, and one
that went through says what happens next (nothing is sent to anyone: an admin approves
sign-ups on the hub's "Approve sign-ups" page)."""

from nativeauthenticator.handlers import SignUpHandler

from ..accounts.names import why_invalid
from . import admincode

DANGER, SUCCESS, INFO = "alert-danger", "alert-success", "alert-info"
# bcrypt hashes only the first 72 bytes of a password, and bcrypt 5 refuses longer ones.
BCRYPT_MAX_BYTES = 72


def refusal(authenticator, username, password):
    """Why ``create_user`` refused ``username`` with ``password``, as a person reads it."""
    invalid = why_invalid(authenticator, username)
    if invalid:
        return f"{invalid}."
    minimum = authenticator.minimum_password_length
    if len(password.encode()) > BCRYPT_MAX_BYTES:
        return (
            f"The password is too long: use at most {BCRYPT_MAX_BYTES} bytes (as many plain "
            "letters, fewer accented ones)."
        )
    if len(password) < minimum:
        return f"The password is too short: use at least {minimum} characters."
    if authenticator.check_common_password and authenticator.is_password_common(password):
        return "That password is one of the most common ones: choose another."
    return "The sign-up did not go through: ask one of the hub's admins."


def result(authenticator, username, password, user, human, taken, matches):
    """(alert class, message) for a sign-up of ``username``; ``user`` is what
    ``create_user`` returned (None if it refused)."""
    if not human:
        return DANGER, "You failed the reCAPTCHA. Please try again."
    if taken:
        return DANGER, f"The name {username!r} is taken: choose another, or log in if it is yours."
    if not matches:
        return DANGER, "The two passwords differ: type the same password twice."
    if user is None:
        return DANGER, refusal(authenticator, username, password)
    if user.is_authorized:
        return SUCCESS, f"You are signed up as {user.username}: log in now."
    if user.login_email_sent:
        return SUCCESS, "You are signed up. Check your email to approve your account."
    return INFO, (
        f"You are signed up as {user.username}. An admin must approve the account before "
        "you can log in: ask one of the hub's admins to approve it on its 'Approve sign-ups' "
        "page."
    )


def admin_code_needed(username):
    return (
        f"{username!r} is named an admin of this hub: claiming it needs the sign-up link with "
        "the admin code, which the hub prints in its log at start, and the command "
        "kaggle-hub admin-code on the hub's machine prints again."
    )


class KaggleSignUpHandler(SignUpHandler):
    """NativeAuthenticator's sign-up page with the answers above; a named admin's account
    is claimed only with the owner's code."""

    async def post(self):
        authenticator = self.authenticator
        username = authenticator.normalize_username(self.get_body_argument("username", ""))
        claiming = authenticator.needs_admin_code(username)
        if claiming and not admincode.matches(
            authenticator.admin_code_file, self.get_argument("admin_code", "")
        ):
            self.log.warning("Refused a sign-up as admin %s without the admin code", username)
            html = await self.render_template(
                "signup.html",
                ask_email=authenticator.ask_email_on_signup,
                result_message=admin_code_needed(username),
                alert=DANGER,
                two_factor_auth=authenticator.allow_2fa,
                recaptcha_key=authenticator.recaptcha_key,
                tos=authenticator.tos,
            )
            self.finish(html)
            return
        await super().post()
        if claiming and not authenticator.needs_admin_code(username):
            self.log.info("Admin %s claimed their account; the admin code is renewed", username)
            admincode.renew(authenticator.admin_code_file)

    def render_template(self, name, sync=False, **ns):
        # The form keeps the name typed (or the set-up link's ?username=), and once the
        # account exists the page says what comes next instead of offering the form again.
        if name == "signup.html":
            ns.setdefault("username", self.get_argument("username", "", strip=False))
            ns.setdefault("signed_up", ns.get("alert") in (SUCCESS, INFO))
        return super().render_template(name, sync=sync, **ns)

    def get_result_message(self, user, human, taken, matches, user_is_admin):
        username = self.get_body_argument("username", "", strip=False)
        password = self.get_body_argument("signup_password", "", strip=False)
        return result(self.authenticator, username, password, user, human, taken, matches)
