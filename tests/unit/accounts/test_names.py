"""Why a user name is refused, for the sign-up page and the admin page's batch add."""

import pytest
from jupyterhub.orm import new_session_factory

from spawner.accounts.names import why_invalid
from spawner.login.authenticators import KaggleNativeAuthenticator, KaggleOIDCAuthenticator


@pytest.fixture(params=[KaggleNativeAuthenticator, KaggleOIDCAuthenticator])
def authenticator(request):
    return request.param(db=new_session_factory("sqlite://")())


@pytest.mark.parametrize("name", ["ann", "Ann", "ann.lee", "ann_lee-2", "élise"])
def test_valid_names_have_no_reason(authenticator, name):
    assert why_invalid(authenticator, name) is None


@pytest.mark.parametrize("name", ["a/b", "", "..", " ann", "ann\0", "a\0b"])
def test_invalid_names_are_named_with_the_rule(authenticator, name):
    reason = why_invalid(authenticator, name)
    assert reason.startswith(f"{name!r} cannot be a user name here: use up to 128 letters")


@pytest.mark.parametrize("name", [1, None, ["ann"], {"name": "ann"}])
def test_a_name_that_is_not_text_is_refused_as_such(authenticator, name):
    assert why_invalid(authenticator, name) == f"{name!r} is not a name: user names are text"


def test_the_built_in_login_also_refuses_spaces_and_commas():
    native = KaggleNativeAuthenticator(db=new_session_factory("sqlite://")())
    assert "cannot be a user name" in why_invalid(native, "dave smith")
    assert "cannot be a user name" in why_invalid(native, "dave,smith")


def test_a_name_over_128_characters_is_refused_and_shown_cut(authenticator):
    assert why_invalid(authenticator, "a" * 128) is None
    reason = why_invalid(authenticator, "a" * 129)
    assert reason.startswith(f"'{'a' * 40}...' cannot be a user name here")
