"""Login: the mode chosen by KAGGLE_HUB_AUTH."""

from traitlets.config import Config

from ..login import oidc
from ..login.config import authenticator_config


def configure(c, s, hub_state):
    """Configure the authenticator. The hub's user list (the admin page) says who may log
    in; admins named in KAGGLE_HUB_ADMINS are admins, and a name removed from it loses
    admin rights at this start. Auth state (OAuth tokens) is encrypted with a key kept in
    the data directory."""
    c.CryptKeeper.keys = [hub_state.crypt_key]
    discovered = oidc.endpoints_for(s.auth)
    c.merge(
        Config(
            authenticator_config(
                s.auth, s.admins, hub_state.revoked_admins, discovered, hub_state.admin_code_file
            )
        )
    )
