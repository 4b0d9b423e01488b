"""kagglehub's attach request against a shared datasets folder."""

import json

import pytest

from spawner.kaggle.attach import METADATA, AttachRefused, attach


@pytest.fixture
def shared(tmp_path):
    (tmp_path / "competitions/titanic").mkdir(parents=True)
    folder = tmp_path / "datasets/heptapod/titanic-extra"
    folder.mkdir(parents=True)
    (folder / METADATA).write_text(json.dumps({"version": 3}))
    (tmp_path / "datasets/zoe/unversioned").mkdir(parents=True)
    return tmp_path


def test_the_teams_data_is_answered_with_its_mount(shared):
    assert attach(shared, {"competitionRef": {"CompetitionSlug": "titanic"}}) == {
        "mountSlug": "competitions/titanic"
    }
    ref = {"OwnerSlug": "heptapod", "DatasetSlug": "titanic-extra"}
    expected = {"mountSlug": "datasets/heptapod/titanic-extra", "versionNumber": 3}
    assert attach(shared, {"datasetRef": ref}) == expected
    assert attach(shared, {"datasetRef": {**ref, "VersionNumber": "3"}}) == expected
    unversioned = {"OwnerSlug": "zoe", "DatasetSlug": "unversioned"}
    assert attach(shared, {"datasetRef": unversioned})["versionNumber"] is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"competitionRef": {"CompetitionSlug": "spaceship-titanic"}},
            "no copy of the competition 'spaceship-titanic': an admin adds it with "
            "kaggle-hub datasets add competitions/spaceship-titanic",
        ),
        (
            {"datasetRef": {"OwnerSlug": "ann", "DatasetSlug": "x", "VersionNumber": "2"}},
            "no copy of the dataset ann/x: an admin adds it with "
            "kaggle-hub datasets add ann/x/versions/2",
        ),
        (
            {
                "datasetRef": {
                    "OwnerSlug": "heptapod",
                    "DatasetSlug": "titanic-extra",
                    "VersionNumber": "1",
                }
            },
            "is version 3, not 1: an admin replaces it with "
            "kaggle-hub datasets add heptapod/titanic-extra/versions/1",
        ),
        ({"competitionRef": {"CompetitionSlug": "../../etc"}}, "is not a Kaggle slug"),
        ({"datasetRef": {"OwnerSlug": 5, "DatasetSlug": "x"}}, "OwnerSlug 5 is not a Kaggle slug"),
        ({"modelRef": {"OwnerSlug": "google"}}, "Models are not shared on this hub"),
        ({}, "Send a competitionRef or a datasetRef"),
        ([1], "not a JSON object"),
    ],
)
def test_anything_else_is_refused_saying_how_to_add_it(shared, body, message):
    with pytest.raises(AttachRefused, match=message.replace(".", r"\.").replace("(", r"\(")):
        attach(shared, body)


def test_without_a_shared_folder_the_admin_is_named():
    with pytest.raises(AttachRefused, match="an admin sets KAGGLE_HUB_DATASETS_DIR"):
        attach("", {"competitionRef": {"CompetitionSlug": "titanic"}})


def test_a_server_that_cannot_see_the_answer_is_told_to_restart(shared):
    titanic = {"competitionRef": {"CompetitionSlug": "titanic"}}
    both = {"dir": str(shared.resolve()), "kinds": ["competitions", "datasets"]}
    assert attach(shared, titanic, both) == {"mountSlug": "competitions/titanic"}
    for mounted in ({}, {**both, "dir": "/srv/elsewhere"}):
        with pytest.raises(AttachRefused, match="started before this hub shared the folder"):
            attach(shared, titanic, mounted)
    with pytest.raises(AttachRefused, match="before the team's first competitions were added"):
        attach(shared, titanic, {**both, "kinds": ["datasets"]})
    # Data the team lacks is refused for that reason, whatever the server mounts.
    with pytest.raises(AttachRefused, match="no copy of the competition"):
        attach(shared, {"competitionRef": {"CompetitionSlug": "other"}}, {})
