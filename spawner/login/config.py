"""The authenticator config a login mode becomes, as plain ``{section: {trait: value}}``."""

AUTHENTICATOR_CLASSES = {
    "native": "kaggle-native",
    "github": "kaggle-github",
    "google": "kaggle-google",
    "oidc": "kaggle-oidc",
    "ldap": "kaggle-ldap",
}
CONFIG_SECTIONS = {
    "native": "KaggleNativeAuthenticator",
    "github": "KaggleGitHubAuthenticator",
    "google": "KaggleGoogleAuthenticator",
    "oidc": "KaggleOIDCAuthenticator",
    "ldap": "KaggleLDAPAuthenticator",
}


def authenticator_config(auth, admins, revoked_admins, discovered=None, admin_code_file=""):
    """The hub config for ``auth``, as ``{section: {trait: value}}``.

    ``discovered`` holds OIDC endpoints read from the issuer; endpoints set by hand win.
    ``admin_code_file`` holds the code that claims a named admin's built-in account.
    """
    section = CONFIG_SECTIONS[auth.mode]
    common = {
        "admin_users": set(admins),
        "revoked_admins": set(revoked_admins),
        "allow_all": False,
        "allow_existing_users": True,
    }
    config = {"JupyterHub": {"authenticator_class": AUTHENTICATOR_CLASSES[auth.mode]}}
    if auth.mode == "native":
        config[section] = {
            **common,
            "open_signup": False,
            "minimum_password_length": 10,
            "check_common_password": True,
            "allowed_failed_logins": 5,
            "seconds_before_next_try": 600,
            "admin_code_file": admin_code_file,
        }
        return config
    if auth.mode == "ldap":
        config[section] = {
            **common,
            "server_address": auth.ldap_host,
            "server_port": auth.ldap_port,
            "tls_strategy": auth.ldap_tls,
            "bind_dn_template": [auth.ldap_bind_dn_template],
            **({"tls_kwargs": {"ca_certs_file": auth.ldap_ca_file}} if auth.ldap_ca_file else {}),
        }
        return config
    trait_values = {
        **common,
        "client_id": auth.client_id,
        "client_secret": auth.client_secret,
        "oauth_callback_url": auth.callback_url,
        "enable_auth_state": True,
        "bind_account_id": auth.bind_account_id,
    }
    if auth.mode == "oidc":
        trait_values.update(dict(discovered or {}))
        trait_values.update(dict(auth.oidc_endpoints))
        trait_values.update(
            {
                "login_service": "OpenID Connect",
                "scope": list(auth.oidc_scopes),
                "username_claim": auth.username_claim,
            }
        )
        if auth.groups_claim:
            trait_values.update(
                {
                    "manage_groups": True,
                    "auth_state_groups_key": f"oauth_user.{auth.groups_claim}",
                    "allowed_groups": set(auth.allowed_groups),
                    "admin_groups": set(auth.admin_groups),
                }
            )
    config[section] = trait_values
    return config
