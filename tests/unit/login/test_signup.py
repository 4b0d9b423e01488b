"""The sign-up page's answers, with the hub's own password rules."""

from types import SimpleNamespace

import pytest
from jupyterhub.orm import new_session_factory

from spawner.login.authenticators import KaggleNativeAuthenticator
from spawner.login.signup import DANGER, INFO, SUCCESS, result


@pytest.fixture
def authenticator():
    db = new_session_factory("sqlite://")()
    return KaggleNativeAuthenticator(db=db, minimum_password_length=10, check_common_password=True)


def account(name, authorized=False):
    return SimpleNamespace(username=name, is_authorized=authorized, login_email_sent=False)


@pytest.mark.parametrize(
    ("username", "password", "user", "taken", "matches", "expected"),
    [
        ("ann", "x", None, True, True, (DANGER, "The name 'ann' is taken: choose another")),
        ("ann", "long-enough-1", None, False, False, (DANGER, "The two passwords differ")),
        ("ann smith", "long-enough-1", None, False, True, (DANGER, "'ann smith' cannot be")),
        ("ann", "short", None, False, True, (DANGER, "too short: use at least 10 characters")),
        ("ann", "1234567890", None, False, True, (DANGER, "one of the most common ones")),
        ("ann", "long-enough-1", account("ann", True), False, True, (SUCCESS, "log in now")),
        ("bob", "long-enough-1", account("bob"), False, True, (INFO, "An admin must approve")),
    ],
)
def test_each_answer_names_the_rule_or_what_comes_next(
    authenticator, username, password, user, taken, matches, expected
):
    alert, message = result(authenticator, username, password, user, True, taken, matches)
    assert alert == expected[0]
    assert expected[1] in message


def test_the_sign_up_page_uses_these_answers(authenticator):
    handlers = dict(authenticator.get_handlers(None))
    assert handlers[r"/signup"].__name__ == "KaggleSignUpHandler"
