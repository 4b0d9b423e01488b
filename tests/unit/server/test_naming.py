import random
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spawner.server import naming

DOCKER_NAME = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$")
usernames = st.text(min_size=1, max_size=300)
server_names = st.one_of(st.just(""), st.text(min_size=1, max_size=300))


@pytest.mark.parametrize(
    "text, escaped",
    [
        ("alice", "alice"),
        ("Alice", "_41lice"),
        ("a-b", "a_2db"),
        ("a_b", "a_5fb"),
        ("a.b", "a_2eb"),
        ("é", "_c3_a9"),
        ("a b", "a_20b"),
        ("../x", "_2e_2e_2fx"),
        ("", ""),
    ],
)
def test_escape_table(text, escaped):
    assert naming.escape(text) == escaped


@pytest.mark.parametrize(
    "user, server, container, volume",
    [
        ("alice", "", "kaggle-alice", "kaggle-alice-work"),
        ("alice", "gpu", "kaggle-alice--gpu", "kaggle-alice--gpu-work"),
        ("a-b", "", "kaggle-a_2db", "kaggle-a_2db-work"),
        ("a", "b-c", "kaggle-a--b_2dc", "kaggle-a--b_2dc-work"),
        ("a--b", "", "kaggle-a_2d_2db", "kaggle-a_2d_2db-work"),
    ],
)
def test_names_table(user, server, container, volume):
    assert naming.container_name("kaggle", user, server) == container
    assert naming.volume_name("kaggle", user, server) == volume


@given(st.tuples(usernames, server_names), st.tuples(usernames, server_names))
def test_names_are_injective(first, second):
    if first != second:
        assert naming.container_name("kaggle", *first) != naming.container_name("kaggle", *second)
        assert naming.volume_name("kaggle", *first) != naming.volume_name("kaggle", *second)


@given(usernames, server_names)
def test_names_are_valid_docker_names(user, server):
    for name in (naming.container_name("k", user, server), naming.volume_name("k", user, server)):
        assert DOCKER_NAME.match(name), name
        assert len(name) <= naming.MAX_NAME_LENGTH + 1 + len(naming.VOLUME_SUFFIX)


@given(usernames)
def test_escape_keeps_only_safe_characters(user):
    assert re.fullmatch(r"[a-z0-9_]*", naming.escape(user))


def test_long_names_are_shortened_with_a_digest_and_stay_distinct():
    a = naming.container_name("kaggle", "x" * 500)
    b = naming.container_name("kaggle", "x" * 499 + "y")
    assert a != b
    assert len(a) == len(b) == naming.MAX_NAME_LENGTH + 1
    assert a.startswith("kaggle-xxxx")


@pytest.mark.parametrize("prefix", ["", "-x", "a b", "ünï", "a/b"])
def test_bad_prefix_is_refused(prefix):
    with pytest.raises(ValueError, match="prefix"):
        naming.check_prefix(prefix)


@given(user=usernames, server=server_names)
def test_volume_names_read_back_to_their_owner(user, server):
    name = naming.volume_name("kaggle", user, server)
    if len(name) - len(naming.VOLUME_SUFFIX) <= naming.MAX_NAME_LENGTH:
        assert naming.parse_volume_name("kaggle", name) == (user, server)
        quarantined = naming.quarantine_name(name, "20261124T120000Z")
        assert naming.parse_volume_name("kaggle", quarantined) == (user, server)


def test_other_volumes_have_no_owner():
    for name in ("kaggle-ann", "other-ann-work", "kaggle-A-work", "kaggle-_zz-work", "x"):
        assert naming.parse_volume_name("kaggle", name) is None


def corpus(count, seed=20261125):
    """``count`` distinct (user, server) pairs mixing the alphabets an attacker would try:
    separators, escapes, unicode, control characters, and lengths past Docker's limit."""
    rng = random.Random(seed)
    alphabet = "aZ09-_.--~ /\\\\:%@+é東\u200b\u202e\x00\n\t" + "".join(map(chr, range(0x20, 0x7F)))
    pairs = set()
    while len(pairs) < count:
        user = "".join(rng.choice(alphabet) for _ in range(rng.choice((1, 2, 5, 20, 80, 300))))
        server = rng.choice(("", "gpu", "".join(rng.choice(alphabet) for _ in range(6))))
        pairs.add((user, server))
    return sorted(pairs)


def test_a_hundred_thousand_hostile_names_map_one_to_one_into_the_prefix():
    pairs = corpus(100_000)
    containers = {naming.container_name("kth", user, server) for user, server in pairs}
    volumes = {naming.volume_name("kth", user, server) for user, server in pairs}
    assert len(containers) == len(volumes) == len(pairs)
    for name in containers | volumes:
        assert name.startswith("kth-") and DOCKER_NAME.match(name), name
