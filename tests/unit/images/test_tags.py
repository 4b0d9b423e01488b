import pytest

from spawner.images import tags


@pytest.mark.parametrize(
    "variant, tag",
    [
        ("lite", "kaggle-team-hub:lite-jh5.5.4"),
        ("kaggle", "kaggle-team-hub:kaggle-jh5.5.4"),
        ("kaggle-gpu", "kaggle-team-hub:kaggle-gpu-jh5.5.4"),
    ],
)
def test_tags_carry_the_hub_version(variant, tag):
    assert tags.image_tag(variant) == tag


@pytest.mark.parametrize(
    "image, command",
    [
        ("kaggle-team-hub:lite-jh5.5.4", "./deploy/build-image lite"),
        ("kaggle-team-hub:kaggle-jh5.5.4", "./deploy/build-image kaggle"),
        ("kaggle-team-hub:kaggle-gpu-jh5.5.4", "./deploy/build-image kaggle --gpu"),
        ("kaggle-team-hub:lite-jh5.0.0", "docker pull kaggle-team-hub:lite-jh5.0.0"),
        ("quay.io/team/img:1", "docker pull quay.io/team/img:1"),
    ],
)
def test_get_command(image, command):
    assert tags.get_command(image) == command
    assert tags.pulled_from_registry(image) == command.startswith("docker pull")


def test_fix_version_command_for_other_images():
    assert tags.fix_version_command("team/img:1") == (
        "a Dockerfile FROM team/img:1 that runs 'pip install jupyterhub==5.5.4'"
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
