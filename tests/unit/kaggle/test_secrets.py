"""Users' secrets: stored encrypted, per user, with names and values checked."""

import json
import stat

import pytest

from spawner.kaggle.secrets import SecretError, SecretStore

KEY = "ab" * 32


def test_each_user_has_their_own_secrets_stored_encrypted(tmp_path):
    store = SecretStore(tmp_path / "secrets", KEY)
    assert store.put("ann", "WANDB_API_KEY", "s3cret-value") is True
    assert store.put("ann", "WANDB_API_KEY", "replaced-value") is False
    assert store.put("bob", "OTHER", "bob's") is True
    assert store.get("ann", "WANDB_API_KEY") == "replaced-value"
    assert store.get("bob", "WANDB_API_KEY") is None
    assert [s["name"] for s in store.listing("ann")] == ["WANDB_API_KEY"]

    files = list((tmp_path / "secrets").iterdir())
    assert sorted(f.name for f in files) == ["ann.json", "bob.json"]
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600
        assert "value" not in f.read_text().replace('"value"', "")
    assert "replaced-value" not in (tmp_path / "secrets/ann.json").read_text()
    assert stat.S_IMODE((tmp_path / "secrets").stat().st_mode) == 0o700

    assert store.delete("ann", "WANDB_API_KEY") is True
    assert store.delete("ann", "WANDB_API_KEY") is False
    store.forget_user("bob")
    assert store.listing("bob") == []


def test_another_hub_key_cannot_read_them(tmp_path):
    SecretStore(tmp_path, KEY).put("ann", "TOKEN", "value")
    with pytest.raises(SecretError, match="stored under another key of the hub: save it again"):
        SecretStore(tmp_path, "cd" * 32).get("ann", "TOKEN")
    assert json.loads((tmp_path / "ann.json").read_text())["TOKEN"]["value"] != "value"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("", "v", "'' cannot be a secret's name"),
        ("../etc/passwd", "v", "cannot be a secret's name: use up to 64 letters"),
        ("a b", "v", "cannot be a secret's name"),
        ("x" * 65, "v", "cannot be a secret's name"),
        ("<script>", "v", "cannot be a secret's name"),
        ("TOKEN\n", "v", "cannot be a secret's name"),
        ("TOKEN", "", "must be text, and not empty"),
        ("TOKEN", 5, "must be text, and not empty"),
        ("TOKEN", "x" * (64 * 1024 + 1), "at most 64 KB"),
    ],
)
def test_bad_names_and_values_are_refused_with_the_rule(tmp_path, name, value, message):
    store = SecretStore(tmp_path, KEY)
    with pytest.raises(SecretError, match=message):
        store.put("ann", name, value)
    assert store.listing("ann") == []


def test_a_long_name_fits_the_filesystem_and_stays_its_own(tmp_path):
    store = SecretStore(tmp_path, KEY)
    long_names = ["d" + "-." * 49 + "d", "d" + "-." * 49 + "e", "é" * 128]
    for name in long_names:
        store.put(name, "TOKEN", name)
    assert [store.get(name, "TOKEN") for name in long_names] == long_names
    assert all(len(p.name) <= 255 for p in tmp_path.iterdir())
    # A name whose escaped form fitted before keeps its file: its secrets stay reachable.
    fitted = "-" * 83  # 249 characters escaped
    store.put(fitted, "TOKEN", "kept")
    assert (tmp_path / f"{'_2d' * 83}.json").is_file()
    store.forget_user(long_names[0])
    assert store.listing(long_names[0]) == []
    assert store.get(long_names[1], "TOKEN") == long_names[1]


def test_a_rename_moves_the_secrets_and_leaves_nothing_behind(tmp_path):
    store = SecretStore(tmp_path, KEY)
    store.put("cat", "TOKEN", "cat's")
    store.put("cleo", "STALE", "from an account deleted before secrets went with it")
    store.rename_user("cat", "cleo")
    assert store.listing("cat") == []
    assert store.get("cleo", "TOKEN") == "cat's"
    assert store.get("cleo", "STALE") is None
    # A user with no secrets renamed onto a name with stale ones leaves none there either.
    store.put("dan", "STALE", "old")
    store.rename_user("eve", "dan")
    assert store.listing("dan") == []


def test_secrets_of_everyone_but_the_users_given_are_removed(tmp_path):
    store = SecretStore(tmp_path, KEY)
    for user in ("ann", "bob", "d" + "-." * 49 + "d"):
        store.put(user, "TOKEN", user)
    assert store.keep_only(["ann", "d" + "-." * 49 + "d", "cyd"]) == 1
    assert store.listing("bob") == []
    assert store.get("ann", "TOKEN") == "ann"
    assert store.get("d" + "-." * 49 + "d", "TOKEN") == "d" + "-." * 49 + "d"
