import jupyterhub
import pytest

from spawner.images import tags

# The hub's own release: the tags it builds carry it (5.5.4, or another the test command
# was given).
HUB = jupyterhub.__version__


@pytest.mark.parametrize(
    "variant, tag",
    [
        ("lite", f"kaggle-team-hub:lite-jh{HUB}"),
        ("kaggle", f"kaggle-team-hub:kaggle-jh{HUB}"),
        ("kaggle-gpu", f"kaggle-team-hub:kaggle-gpu-jh{HUB}"),
    ],
)
def test_tags_carry_the_hub_version(variant, tag):
    assert tags.image_tag(variant) == tag


@pytest.mark.parametrize(
    "image, command",
    [
        (f"kaggle-team-hub:lite-jh{HUB}", "./deploy/build-image lite"),
        (f"kaggle-team-hub:kaggle-jh{HUB}", "./deploy/build-image kaggle"),
        (f"kaggle-team-hub:kaggle-gpu-jh{HUB}", "./deploy/build-image kaggle --gpu"),
        ("kaggle-team-hub:lite-jh5.0.0", "docker pull kaggle-team-hub:lite-jh5.0.0"),
        ("quay.io/team/img:1", "docker pull quay.io/team/img:1"),
    ],
)
def test_get_command(image, command):
    assert tags.get_command(image) == command
    assert tags.pulled_from_registry(image) == command.startswith("docker pull")


def test_fix_version_command_for_other_images():
    assert tags.fix_version_command("team/img:1") == (
        f"a Dockerfile FROM team/img:1 that runs 'pip install jupyterhub=={HUB}'"
    )


def test_unknown_variant():
    with pytest.raises(ValueError, match="Unknown image variant 'gpu'"):
        tags.image_tag("gpu")


@pytest.mark.parametrize(
    "image, current",
    [
        ("kaggle-team-hub:lite-jh5.5.4", "kaggle-team-hub:lite-jh6.1.1"),
        ("kaggle-team-hub:kaggle-jh5.5.4", "kaggle-team-hub:kaggle-jh6.1.1"),
        ("kaggle-team-hub:kaggle-gpu-jh5.5.4", "kaggle-team-hub:kaggle-gpu-jh6.1.1"),
        ("kaggle-team-hub:lite-jh6.1.1", "kaggle-team-hub:lite-jh6.1.1"),
        ("kaggle-team-hub:custom", "kaggle-team-hub:custom"),
        ("quay.io/team/img:1", "quay.io/team/img:1"),
    ],
)
def test_an_upgrade_moves_our_images_to_the_new_hub_version(image, current):
    assert tags.current_tag(image, "6.1.1") == current
