"""Each setting is declared once: the readers take its default from the declaration (the
docs' tables are the declarations rendered: tests/unit/test_docs.py)."""

import pytest

from spawner.settings import environment, hub, reference
from spawner.settings.environment import REPO_DIR
from spawner.settings.variables import DECLARED


def test_every_declared_setting_is_in_one_section_and_read_by_the_hub():
    assert reference.NAMES == set(DECLARED)
    read = set()

    class Watched(dict):
        def get(self, name, default=None):
            read.add(name)
            return super().get(name, default)

    hub.from_env(Watched(), config_dir=REPO_DIR, euid=1000, home="/home/ann")
    # The .env file's name is read before the settings, from the environment alone.
    assert read | {"KAGGLE_HUB_ENV_FILE"} >= set(DECLARED) - login_only()


def login_only():
    """Settings a native login never reads (those of the other modes)."""
    return {
        name
        for name in DECLARED
        if name.startswith(("KAGGLE_HUB_OAUTH_", "KAGGLE_HUB_OIDC_", "KAGGLE_HUB_LDAP_"))
        or name in ("KAGGLE_HUB_ALLOWED_GROUPS", "KAGGLE_HUB_ADMIN_GROUPS")
        or name == "KAGGLE_HUB_BIND_ACCOUNT_ID"
    }


@pytest.mark.parametrize(
    ("reader", "name", "expected"),
    [
        (environment.port, "KAGGLE_HUB_PORT", 8000),
        (environment.count, "KAGGLE_HUB_CULL_IDLE_SECONDS", 3600),
        (environment.flag, "KAGGLE_HUB_SHARING", True),
        (environment.size, "KAGGLE_HUB_MIN_FREE_DISK", "2g"),
    ],
)
def test_an_unset_setting_reads_as_its_declared_default(reader, name, expected):
    assert reader({}, name) == expected
    assert f"`{DECLARED[name].default}`" == DECLARED[name].default_cell
    assert reader({name: DECLARED[name].default}, name) == expected
