"""Kaggle's data and a notebook as Kaggle exports it, as the team's users have them: the
shared folder in Kaggle's layout, a user's secret, and the notebook run cell by cell."""

import json
import shutil
from pathlib import Path

import requests

from spawner.kaggle.attach import METADATA

DATA = Path(__file__).resolve().parent / "data"
NOTEBOOK = DATA / "notebooks/titanic-first-model.ipynb"
SECRET = "wandb-0123456789abcdef"


def make_shared(root):
    """The team's shared folder in ``root``: the Titanic competition and a dataset."""
    shutil.copytree(DATA / "titanic", root / "competitions/titanic")
    extra = root / "datasets/heptapod/titanic-extra"
    extra.mkdir(parents=True)
    (extra / "ages.csv").write_text("PassengerId,AgeBand\n1,adult\n")
    (extra / METADATA).write_text(json.dumps({"version": 3}))
    return root


def put_secret(hub, token, name, value):
    return requests.put(
        f"{hub.url}/hub/api/secrets/{name}",
        json={"value": value},
        headers={"Authorization": f"token {token}"},
        timeout=30,
        verify=hub.verify,
    )


def run_notebook(server, path):
    """Run every code cell of the notebook at ``path`` (in the user's files), in order, in
    one kernel; return each cell's stdout."""
    cells = json.loads(server.read_text(path))["cells"]
    sources = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return server.run_cells(sources, path, timeout=120)


def run_the_titanic_notebook(hub, server, token):
    """Give ``server``'s user the secret the notebook reads, run the notebook unmodified,
    and check each cell's output and the submission it writes."""
    assert put_secret(hub, token, "WANDB_API_KEY", SECRET).status_code == 201
    server.put_text("code/titanic-first-model.ipynb", NOTEBOOK.read_text())
    outputs = run_notebook(server, "code/titanic-first-model.ipynb")
    assert "Data source import complete." in outputs[0].splitlines()
    assert "/kaggle/input/competitions/titanic/train.csv" in outputs[1]
    assert "/kaggle/input/titanic/test.csv" in outputs[1]
    assert outputs[2].strip() == "(891, 12) (418, 11)"
    assert outputs[3].strip() == f"secret length {len(SECRET)}"
    assert outputs[4].strip() == "Your submission was successfully saved!"
    submission = server.read_text("code/submission.csv").splitlines()
    assert submission[0] == "PassengerId,Survived" and len(submission) == 419
    # The secret's value never reaches the hub's log.
    assert SECRET not in hub.log()
