"""Profiles: what admins offer and what users may choose, as exact tables."""

import pytest

from spawner.server import profiles
from spawner.server.profiles import OptionsError, Profile

GiB = 1024**3

OFFER = [
    {"name": "cpu", "description": "4 CPUs", "cpu_limit": 4, "mem_limit": "16G", "default": True},
    {"name": "gpu", "image": "kth:gpu", "mem_limit": "64G", "shm_size": "16g", "gpus": "all"},
    {"name": "two", "gpus": [0, "1"]},
]


def parsed():
    return profiles.parse(OFFER, "kth:base", "2g")


def test_defaults_fill_what_a_profile_leaves_out():
    assert parsed() == (
        Profile("cpu", "4 CPUs", "kth:base", 4.0, 16 * GiB, 2 * GiB, "none", True),
        Profile("gpu", "", "kth:gpu", None, 64 * GiB, 16 * GiB, "all", False),
        Profile("two", "", "kth:base", None, None, 2 * GiB, ("0", "1"), False),
    )


def test_no_profiles_is_one_default_from_the_spawner_settings():
    (only,) = profiles.parse([], "kth:base", "2g", "8G", 2)
    assert (only.name, only.image, only.mem_limit, only.cpu_limit, only.default) == (
        "default",
        "kth:base",
        8 * GiB,
        2.0,
        True,
    )
    assert profiles.render_form((only,)) == ""


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([{"name": "Big Box"}], "name='Big Box'"),
        ([{"name": "a", "ram": "1G"}], r"unknown settings \['ram'\]"),
        ([{"name": "a", "mem_limit": "lots"}], "mem_limit='lots' is not a size"),
        ([{"name": "a", "cpu_limit": "4"}], "cpu_limit='4' is not a number"),
        ([{"name": "a", "cpu_limit": 0}], "must be more than 0"),
        ([{"name": "a", "gpus": "some"}], "gpus='some'"),
        ([{"name": "a", "constraints": "node.role==worker"}], "constraints='node.role==worker'"),
        ([{"name": "a", "constraints": ["gpu=yes"]}], "swarm placement constraints"),
        ([{"name": "a", "groups": "gpu"}], "groups='gpu': use a list of hub group names"),
        ([{"name": "a", "groups": []}], "groups=\\[\\]"),
        ([{"name": "a", "groups": ["gpu", ""]}], "groups="),
        ([{"name": "a"}, {"name": "a"}], "must differ"),
        ([{"name": "a", "default": True}, {"name": "b", "default": True}], "Only one"),
        (["a"], "not a dict"),
    ],
)
def test_bad_profiles_are_named(raw, message):
    with pytest.raises(ValueError, match=message):
        profiles.parse(raw, "kth:base", "2g")


def test_constraints_are_kept_for_a_swarm():
    (gpu,) = profiles.parse(
        [{"name": "gpu", "constraints": ["node.labels.gpu == true", "node.role!=manager"]}],
        "kth:base",
        "2g",
    )
    assert gpu.constraints == ("node.labels.gpu == true", "node.role!=manager")
    (plain,) = profiles.parse([{"name": "cpu"}], "kth:base", "2g")
    assert plain.constraints == ()


def test_selection():
    offer = parsed()
    assert profiles.select(offer, {}) == (offer[0], "kth:base")
    assert profiles.select(offer, {"profile": "gpu"}) == (offer[1], "kth:gpu")
    assert profiles.select(offer, {"profile": "cpu", "image": "kth:gpu"}) == (offer[0], "kth:gpu")
    assert profiles.select(offer, {"image": "other:1"}, ["other:1"]) == (offer[0], "other:1")
    assert profiles.select(offer, {"image": "any:1"}, "*") == (offer[0], "any:1")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"profile": "huge"}, "Unknown profile 'huge': choose one of cpu, gpu, two"),
        ({"image": "evil:latest"}, "Image 'evil:latest' is not allowed here: choose one of"),
        ({"profile": "cpu", "mem_limit": "1T"}, r"Unknown server options \['mem_limit'\]"),
        ({"profile": "x" * 300}, "at most 256 characters"),
        ({"profile": ["cpu"]}, "must be a name"),
        ("cpu", "must be an object"),
    ],
)
def test_bad_options_name_the_problem_and_the_choices(options, message):
    with pytest.raises(OptionsError, match=message):
        profiles.select(parsed(), options)


def test_gpus_are_none_a_count_a_list_or_all_and_said_in_words():
    cpu, gpu, two = parsed()
    (one,) = profiles.parse([{"name": "one", "gpus": 1}], "i", "2g")
    assert [p.gpus for p in (cpu, gpu, two, one)] == ["none", "all", ("0", "1"), 1]
    assert [profiles.gpus_text(p.gpus) for p in (cpu, gpu, two, one)] == [
        "",
        "every GPU",
        "GPU 0,1",
        "1 GPU",
    ]
    for bad in (0, -1, True, 1.5, [], "some"):
        with pytest.raises(ValueError, match="use 'none', a number of GPUs"):
            profiles.parse([{"name": "x", "gpus": bad}], "i", "2g")


def test_form_lists_profiles_escaped_and_reads_back():
    offer = profiles.parse(
        [{"name": "a", "description": "<b>x</b>", "default": True}, {"name": "b"}], "i", "2g"
    )
    form = profiles.render_form(offer)
    assert 'value="a" checked' in form and 'value="b">' in form
    assert "&lt;b&gt;x&lt;/b&gt;" in form and "<b>x</b>" not in form
    assert profiles.options_from_form({"profile": ["b"]}) == {"profile": "b"}
    assert profiles.options_from_form({}) == {}


KEPT = [
    {"name": "cpu", "default": True},
    {"name": "gpu", "image": "kth:gpu", "gpus": "all", "groups": ["gpu", "staff"]},
]


def test_a_profile_kept_for_a_group_is_offered_and_started_only_by_its_members():
    kept = profiles.parse(KEPT, "kth:base", "2g")
    assert [p.name for p in profiles.offered(kept, [])] == ["cpu"]
    assert [p.name for p in profiles.offered(kept, ["staff"])] == ["cpu", "gpu"]
    assert profiles.render_form(profiles.offered(kept, ["data"])) == ""
    assert 'value="gpu"' in profiles.render_form(profiles.offered(kept, ["gpu"]))

    assert profiles.select(kept, {"profile": "gpu"}, groups=["gpu"])[1] == "kth:gpu"
    with pytest.raises(OptionsError) as refused:
        profiles.select(kept, {"profile": "gpu"}, groups=["data"])
    assert refused.value.status_code == 403
    assert str(refused.value) == (
        "The profile 'gpu' is for members of the group 'gpu' or 'staff', and you are not one: "
        "an admin adds you on the admin page (Manage Groups), or choose another profile."
    )
    # Nor through the image of a profile kept from the user.
    with pytest.raises(OptionsError, match="Image 'kth:gpu' is not allowed here"):
        profiles.select(kept, {"image": "kth:gpu"}, groups=[])


def test_the_default_is_the_first_open_profile_and_none_open_is_said():
    only_kept = profiles.parse(
        [{"name": "gpu", "default": True, "groups": ["gpu"]}, {"name": "cpu"}], "kth:base", "2g"
    )
    assert profiles.select(only_kept, {}, groups=[])[0].name == "cpu"
    with pytest.raises(OptionsError, match="No server profile is open to you") as refused:
        profiles.select(only_kept[:1], {}, groups=["data"])
    assert refused.value.status_code == 403
