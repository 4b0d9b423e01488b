"""kagglehub's attach request, answered from the team's shared datasets folder.

kagglehub (inside a Kaggle notebook) posts a ``competitionRef``, ``datasetRef`` or
``modelRef`` and then waits until ``/kaggle/input/<mountSlug>`` exists. A competition or
dataset the team has is already there (``competitions/<slug>``, ``datasets/<owner>/<slug>``
of ``KAGGLE_HUB_DATASETS_DIR``, mounted whole in every server); for anything else the answer
is a refusal that says how an admin adds it, which kagglehub raises as its own error.
"""

import json
from pathlib import Path

from ..server.datasets import COMPETITIONS, DATASETS, NAME_PATTERN

# What `kaggle-hub datasets add` records beside a dataset: its version, among others.
METADATA = ".kaggle-hub.json"
# Kaggle's slugs are at most 50 characters; a longer one would only reach the filesystem.
MAX_SLUG = 100


class AttachRefused(Exception):
    """The team has no such data here; the message says how to add it."""


def _slug(ref, key):
    value = ref.get(key)
    if not isinstance(value, str) or len(value) > MAX_SLUG or not NAME_PATTERN.fullmatch(value):
        shown = value[:40] + "..." if isinstance(value, str) and len(value) > 40 else value
        raise AttachRefused(f"{key} {shown!r} is not a Kaggle slug.")
    return value


def recorded(folder):
    """What ``kaggle-hub datasets add`` recorded beside ``folder``'s files ({} if nothing)."""
    try:
        found = json.loads((Path(folder) / METADATA).read_text())
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


RESTART = (
    "restart it to see them (File > Hub Control Panel > Stop My Server, then Start My "
    "Server), then run this cell again."
)


def attach(datasets_dir, body, mounted=None):
    """kagglehub's ``result`` (``mountSlug``, and ``versionNumber`` for a dataset) for the
    request ``body``; AttachRefused when the team does not have it, or when the asking
    server's record of what it mounts (``mounted``, from ``datasets.prepare``; None if
    unknown) lacks it."""
    result = _answer(datasets_dir, body)
    if mounted is not None:
        kind = result["mountSlug"].split("/", 1)[0]
        if mounted.get("dir") != str(Path(datasets_dir).resolve()):
            raise AttachRefused(
                f"Your server started before this hub shared the folder {datasets_dir}: " + RESTART
            )
        if kind not in mounted.get("kinds", ()):
            raise AttachRefused(
                f"Your server started before the team's first {kind} were added: " + RESTART
            )
    return result


def _answer(datasets_dir, body):
    if not datasets_dir:
        raise AttachRefused(
            "This hub shares no datasets: an admin sets KAGGLE_HUB_DATASETS_DIR and adds "
            "data with kaggle-hub datasets add."
        )
    root = Path(datasets_dir)
    if not isinstance(body, dict):
        raise AttachRefused("The request is not a JSON object.")
    if isinstance(body.get("competitionRef"), dict):
        slug = _slug(body["competitionRef"], "CompetitionSlug")
        if not (root / COMPETITIONS / slug).is_dir():
            raise AttachRefused(
                f"The team has no copy of the competition {slug!r}: an admin adds it with "
                f"kaggle-hub datasets add competitions/{slug}"
            )
        return {"mountSlug": f"{COMPETITIONS}/{slug}"}
    if isinstance(body.get("datasetRef"), dict):
        ref = body["datasetRef"]
        owner, slug = _slug(ref, "OwnerSlug"), _slug(ref, "DatasetSlug")
        folder = root / DATASETS / owner / slug
        wanted = ref.get("VersionNumber")
        add = f"kaggle-hub datasets add {owner}/{slug}" + (f"/versions/{wanted}" if wanted else "")
        if not folder.is_dir():
            raise AttachRefused(
                f"The team has no copy of the dataset {owner}/{slug}: an admin adds it with {add}"
            )
        version = recorded(folder).get("version")
        if wanted and str(wanted) != str(version):
            raise AttachRefused(
                f"The team's copy of {owner}/{slug} is version {version or 'unknown'}, not "
                f"{wanted}: an admin replaces it with {add}"
            )
        return {"mountSlug": f"{DATASETS}/{owner}/{slug}", "versionNumber": version}
    if isinstance(body.get("modelRef"), dict):
        raise AttachRefused("Models are not shared on this hub: download them in the notebook.")
    raise AttachRefused("Send a competitionRef or a datasetRef.")
