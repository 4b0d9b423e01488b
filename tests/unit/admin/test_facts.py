"""What the deploy scripts ask of the code, answered one per line."""

import jupyterhub
import pytest

from spawner.admin import facts
from spawner.images import tags


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setenv("KAGGLE_HUB_ENV_FILE", str(tmp_path / "none.env"))
    monkeypatch.setenv("KAGGLE_HUB_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KAGGLE_HUB_IMAGE", tags.image_tag("lite"))
    return tmp_path


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (["image"], tags.image_tag("lite")),
        (["data-dir"], "{tmp}/data"),
        (["log-dir"], "{tmp}/data/logs"),
        (["jupyterhub-version"], jupyterhub.__version__),
        (["image-tag", "lite"], tags.image_tag("lite")),
        (["get-command", tags.image_tag("lite")], "./deploy/build-image lite"),
        (["pin", "KAGGLE_BASE_TAG"], tags.KAGGLE_BASE_TAG),
    ],
)
def test_each_fact_is_one_line(settings, capsys, question, answer):
    assert facts.main(question) == 0
    assert capsys.readouterr().out == answer.format(tmp=settings) + "\n"


def test_a_stopped_hub_is_not_running(settings):
    assert facts.main(["hub-running"]) == 1


@pytest.mark.parametrize(
    "question", [[], ["colour"], ["pin", "image_tag"], ["pin", "NOPE"], ["image-tag"]]
)
def test_a_question_it_does_not_answer_is_refused_with_the_list(settings, capsys, question):
    assert facts.main(question) == 2
    assert "python -m spawner.admin.facts NAME [ARGUMENT]" in capsys.readouterr().err
