"""The hub's authenticators: the stock ones plus what a shared workstation needs.

- Admins named in settings are admins; a name removed from the setting loses admin rights
  at the next start (admins made on the admin page keep theirs).
- Names with control characters or longer than the hub keeps are refused.
- OAuth logins can be bound to the provider's stable account id, so a recycled login name
  cannot inherit an old account.
"""

from inspect import isawaitable

from jupyterhub import roles
from jupyterhub.auth import Authenticator
from ldapauthenticator import LDAPAuthenticator
from nativeauthenticator import NativeAuthenticator
from nativeauthenticator.orm import UserInfo
from oauthenticator.generic import GenericOAuthenticator
from oauthenticator.github import GitHubOAuthenticator
from oauthenticator.google import GoogleOAuthenticator
from sqlalchemy.orm import object_session
from traitlets import Bool, Set, Unicode, default

from ..accounts.names import acceptable
from ..errors import LoginRefused
from . import admincode, approval
from .lockout import Lockouts
from .loginform import KaggleChangePasswordHandler, KaggleLoginHandler
from .logout import with_logout_page
from .signup import BCRYPT_MAX_BYTES, KaggleSignUpHandler

ACCOUNT_ID = "account_id"


def account_mismatch_message(username):
    return (
        f"The hub user {username!r} belongs to another account of the login provider (the "
        "name may have been given up and taken again). Ask an admin: if this is really you, "
        "they can delete that hub user, after which your next login creates it afresh."
    )


class HubAccounts(Authenticator):
    """Admin rights from settings, the hub's rule for names, and a logout that says so.

    What happens to a user's servers, files and secrets does not live here: the hub mounts
    those handlers itself (``spawner.hub.routes``), so they hold under any login."""

    revoked_admins = Set(
        Unicode(),
        config=True,
        help="""
        Usernames removed from the admins setting since the last start: they lose admin
        rights at this start. Filled in by jupyterhub_config.py from KAGGLE_HUB_ADMINS.
        Default: empty.

            c.Authenticator.revoked_admins = {"ann"}
        """,
    )

    def get_handlers(self, app):
        return with_logout_page(super().get_handlers(app))

    def validate_username(self, username):
        # A NUL or a newline in a name reaches logs, labels and file names; a name of
        # megabytes, every page and log line that shows it.
        if not acceptable(username):
            return False
        return super().validate_username(username)

    def add_user(self, user):
        result = super().add_user(user)
        orm_user = getattr(user, "orm_user", user)
        if orm_user.name in self.revoked_admins and orm_user.admin:
            self.log.info("Removing admin rights of %s: no longer in the admins setting", user.name)
            orm_user.admin = False
            roles.assign_default_roles(object_session(orm_user), orm_user)
        return result


class KaggleNativeAuthenticator(HubAccounts, NativeAuthenticator):
    """Accounts in the hub: sign-up, then an admin's approval (or an admin added the name).
    A name in the admins setting is claimed with the owner's one-time code
    (``spawner.login.admincode``)."""

    admin_code_file = Unicode(
        "",
        config=True,
        help="""
        File holding the one-time code that claims an admin account: signing up as a name
        in ``admin_users`` that has not signed up yet needs it. Empty: no code is asked.
        Filled in by jupyterhub_config.py (``KAGGLE_HUB_DATA_DIR/admin_code``).

            c.KaggleNativeAuthenticator.admin_code_file = "/var/lib/kaggle-team-hub/admin_code"
        """,
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.lockouts = Lockouts(self.allowed_failed_logins, self.seconds_before_next_try)
        unclaimed = sorted(n for n in self.admin_users if self.needs_admin_code(n))
        if unclaimed:
            url = admincode.claim_url(
                getattr(self.parent, "public_url", "") or "",
                admincode.current(self.admin_code_file),
            )
            self.log.warning(
                "Admin %s has not signed up yet: sign up as %s at %s (kaggle-hub admin-code "
                "prints this link again)",
                ", ".join(unclaimed),
                unclaimed[0],
                url,
            )

    def needs_admin_code(self, username):
        """True if signing up as ``username`` claims a named admin account."""
        return bool(
            self.admin_code_file
            and username in self.admin_users
            and UserInfo.find(self.db, username) is None
        )

    @default("db")
    def _hub_session(self):
        # NativeAuthenticator keeps its accounts in the hub's database, through the session
        # JupyterHub still hands authenticators; its deprecation warning at every start tells
        # the admin of nothing they can change.
        return self._deprecated_db_session

    def get_handlers(self, app):
        replaced = {
            r"/login": KaggleLoginHandler,
            r"/change-password": KaggleChangePasswordHandler,
            r"/signup": KaggleSignUpHandler,
            **approval.HANDLERS,
        }
        handlers = [
            (path, replaced.get(path, handler)) for path, handler in super().get_handlers(app)
        ]
        known = {path for path, _ in handlers}
        return handlers + [
            (path, handler) for path, handler in replaced.items() if path not in known
        ]

    def is_blocked(self, username):
        # NativeAuthenticator's lock is per name: anyone could keep its owner out. The
        # login form locks per name and address instead (``lockout``).
        return False

    def add_login_attempt(self, username):
        """Counted per name and address by the login form (``lockout``)."""

    def is_password_strong(self, password):
        if len(password.encode()) > BCRYPT_MAX_BYTES:
            return False
        return super().is_password_strong(password)

    async def check_allowed(self, username, authentication=None):
        allowed = super().check_allowed(username, authentication)
        if isawaitable(allowed):
            allowed = await allowed
        if allowed:
            return True
        # authenticate() only returns approved accounts: an admin approved this sign-up.
        info = UserInfo.find(self.db, username)
        return bool(info and info.is_authorized)


class AccountBinding(HubAccounts):
    """OAuth login bound to the provider's stable account id."""

    bind_account_id = Bool(
        True,
        config=True,
        help="""
        Bind each hub user to the provider account that first logged in as it (GitHub's
        numeric id, OpenID Connect's ``sub``): a later login with the same name from another
        account is refused. Deleting the hub user releases the name. Default: True.

            c.KaggleOIDCAuthenticator.bind_account_id = False
        """,
    )

    account_id_claim = "sub"

    def build_auth_state_dict(self, token_info, user_info):
        state = super().build_auth_state_dict(token_info, user_info)
        account_id = user_info.get(self.account_id_claim)
        state[ACCOUNT_ID] = None if account_id is None else str(account_id)
        return state

    async def authenticate(self, handler, data=None, **kwargs):
        model = await super().authenticate(handler, data, **kwargs)
        if not model or not self.bind_account_id:
            return model
        user = handler.find_user(model["name"])
        if user is None:
            return model
        bound = (await user.get_auth_state() or {}).get(ACCOUNT_ID)
        new = model["auth_state"].get(ACCOUNT_ID)
        if bound and bound != new:
            self.log.warning(
                "Refused login as %s: bound to account %s, login came from account %s",
                model["name"],
                bound,
                new,
            )
            raise LoginRefused(account_mismatch_message(model["name"]))
        return model


class KaggleGitHubAuthenticator(AccountBinding, GitHubOAuthenticator):
    account_id_claim = "id"


class KaggleGoogleAuthenticator(AccountBinding, GoogleOAuthenticator):
    account_id_claim = "id"


class KaggleOIDCAuthenticator(AccountBinding, GenericOAuthenticator):
    account_id_claim = "sub"


class KaggleLDAPAuthenticator(HubAccounts, LDAPAuthenticator):
    """The team's LDAP directory: a password is checked by binding as the user's DN."""
