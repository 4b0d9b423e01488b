"""``kaggle-hub datasets``: the team's one shared copy of each Kaggle competition and dataset.

``add`` downloads a competition's files or a dataset (a version of it) once, with the
admin's Kaggle credentials, into ``KAGGLE_HUB_DATASETS_DIR`` in Kaggle's layout
(``competitions/<slug>/``, ``datasets/<owner>/<slug>/``): every server sees it read-only at
once, and kagglehub finds it there. A download that stops resumes where it stopped the next
time the same command runs; the archive's SHA-256, size and version are kept beside the
files. ``list`` shows what the team has, ``remove`` takes a copy away.
"""

import hashlib
import json
import re
import shutil
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import requests
import urllib3

from ..kaggle.attach import METADATA, recorded
from ..server.datasets import COMPETITIONS, DATASETS, kaggle_folders, plain_folders
from ..sizes import human_size

DOWNLOADS = ".downloads"
CHUNK = 1024 * 1024
HANDLE = re.compile(
    r"^(?:competitions/(?P<competition>[a-z0-9][a-z0-9-]*)"
    r"|(?P<owner>[A-Za-z0-9][A-Za-z0-9_-]*)/(?P<dataset>[A-Za-z0-9][A-Za-z0-9_.-]*)"
    r"(?:/versions/(?P<version>[0-9]+))?)$"
)


class DatasetError(RuntimeError):
    """What went wrong, and what to do about it."""


@dataclass(frozen=True)
class Handle:
    kind: str  # COMPETITIONS or DATASETS
    slug: str
    owner: str = ""
    version: int | None = None

    @property
    def name(self):
        return (
            f"competitions/{self.slug}"
            if self.kind == COMPETITIONS
            else f"{self.owner}/{self.slug}"
        )

    @property
    def input_path(self):
        """Where every server sees it, as on Kaggle."""
        if self.kind == COMPETITIONS:
            return f"/kaggle/input/competitions/{self.slug}/"
        return f"/kaggle/input/datasets/{self.owner}/{self.slug}/"

    def folder(self, root):
        if self.kind == COMPETITIONS:
            return Path(root) / COMPETITIONS / self.slug
        return Path(root) / DATASETS / self.owner / self.slug

    def archive_url(self, api):
        if self.kind == COMPETITIONS:
            return f"{api}/competitions/data/download-all/{self.slug}"
        url = f"{api}/datasets/download/{self.owner}/{self.slug}"
        return f"{url}?datasetVersionNumber={self.version}" if self.version else url


def parse_handle(text):
    match = HANDLE.match(text or "")
    if not match:
        raise DatasetError(
            f"{text!r} is not a Kaggle handle: use competitions/SLUG (e.g. competitions/titanic) "
            "or OWNER/SLUG, optionally with /versions/N (as in the dataset's Kaggle address)."
        )
    if match["competition"]:
        return Handle(COMPETITIONS, match["competition"])
    version = int(match["version"]) if match["version"] else None
    return Handle(DATASETS, match["dataset"], match["owner"], version)


def credentials(env, home):
    """Request settings that authenticate to Kaggle's API as the admin: KAGGLE_API_TOKEN,
    KAGGLE_USERNAME and KAGGLE_KEY, or kaggle.json in KAGGLE_CONFIG_DIR or ~/.kaggle."""
    if env.get("KAGGLE_API_TOKEN"):
        return {"headers": {"Authorization": f"Bearer {env['KAGGLE_API_TOKEN']}"}}
    if env.get("KAGGLE_USERNAME") and env.get("KAGGLE_KEY"):
        return {"auth": (env["KAGGLE_USERNAME"], env["KAGGLE_KEY"])}
    path = Path(env.get("KAGGLE_CONFIG_DIR") or Path(home) / ".kaggle") / "kaggle.json"
    try:
        saved = json.loads(path.read_text())
        return {"auth": (saved["username"], saved["key"])}
    except FileNotFoundError:
        raise DatasetError(
            f"No Kaggle credentials: put kaggle.json (kaggle.com, Settings, API, Create New "
            f"Token) at {path}, or set KAGGLE_API_TOKEN."
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise DatasetError(f"{path} is not a kaggle.json with username and key ({e}).") from None


def _refused(response, handle):
    if response.status_code in (401, 403):
        extra = (
            " For a competition, accept its rules on kaggle.com first."
            if (handle.kind == COMPETITIONS)
            else ""
        )
        return DatasetError(
            f"Kaggle refused the credentials for {handle.name} ({response.status_code}).{extra}"
        )
    if response.status_code == 404:
        return DatasetError(f"Kaggle has no {handle.name} (404): check the handle.")
    return DatasetError(f"Kaggle answered {response.status_code} for {handle.name}.")


def current_version(session, api, handle, auth):
    """The dataset version Kaggle serves now (None for a competition, or if not said)."""
    if handle.kind == COMPETITIONS:
        return None
    if handle.version:
        return handle.version
    r = session.get(f"{api}/datasets/view/{handle.owner}/{handle.slug}", timeout=60, **auth)
    if r.status_code != 200:
        raise _refused(r, handle)
    return r.json().get("currentVersionNumber")


def download(session, url, part, meter, handle, auth):
    """Download ``url`` into ``part``, going on from the bytes already there."""
    have = part.stat().st_size if part.exists() else 0
    headers = {**auth.get("headers", {}), **({"Range": f"bytes={have}-"} if have else {})}
    kwargs = {"auth": auth["auth"]} if "auth" in auth else {}
    try:
        with session.get(url, headers=headers, stream=True, timeout=60, **kwargs) as r:
            if r.status_code == 416:
                return
            if r.status_code not in (200, 206):
                raise _refused(r, handle)
            resumed = r.status_code == 206
            total = int(r.headers.get("Content-Length", 0)) + (have if resumed else 0)
            progress = meter(f"downloading {handle.name}", total or None)
            done = have if resumed else 0
            with open(part, "ab" if resumed else "wb") as f:
                # read1 hands over what has arrived, so a cut connection keeps every byte.
                while chunk := r.raw.read1(CHUNK):
                    f.write(chunk)
                    done += len(chunk)
                    progress(done)
            if total and done < total:
                raise requests.ConnectionError(f"the connection closed at {human_size(done)}")
    except (requests.RequestException, urllib3.exceptions.HTTPError) as e:
        size = human_size(part.stat().st_size if part.exists() else 0)
        raise DatasetError(
            f"The download of {handle.name} stopped after {size} ({e}): run the same command "
            "again to go on from there."
        ) from None


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def unpack(archive, target):
    """Unpack the zip ``archive`` into a new folder beside ``target``; return that folder
    and the number of files. Members outside the folder and links are refused before
    anything is written."""
    try:
        with zipfile.ZipFile(archive) as z:
            members = z.infolist()
            for m in members:
                path = Path(m.filename)
                is_link = (m.external_attr >> 16) & 0o170000 == 0o120000
                if path.is_absolute() or ".." in path.parts or is_link:
                    raise DatasetError(f"The archive holds {m.filename!r}, outside its folder.")
            staging = target.parent / f".{target.name}.unpacking"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            z.extractall(staging)
    except zipfile.BadZipFile:
        archive.unlink()
        raise DatasetError(
            f"What Kaggle sent is not a zip archive ({archive.name}): run the command again."
        ) from None
    return staging, sum(1 for m in members if not m.is_dir())


def add(root, text, api, env, home, meter):
    """Download ``text``'s data into ``root``; return its metadata."""
    handle = parse_handle(text)
    auth = credentials(env, home)
    target = handle.folder(root)
    downloads = Path(root) / DOWNLOADS
    downloads.mkdir(mode=0o700, parents=True, exist_ok=True)
    with requests.Session() as session:
        version = current_version(session, api, handle, auth)
        stem = handle.name.replace("/", "-") + (f"-v{version}" if version else "")
        part = downloads / f"{stem}.zip.part"
        download(session, handle.archive_url(api), part, meter, handle, auth)
    digest = sha256(part)
    staging, files = unpack(part, target)
    metadata = {
        "handle": handle.name,
        "version": version,
        "sha256": digest,
        "archive_bytes": part.stat().st_size,
        "files": files,
        "added": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (staging / METADATA).write_text(json.dumps(metadata, indent=1) + "\n")
    if target.exists():
        old = target.parent / f".{target.name}.old"
        shutil.rmtree(old, ignore_errors=True)
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old)
    else:
        staging.rename(target)
    part.unlink()
    return metadata


def _size(folder):
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and p.name != METADATA)


def listing(root):
    """``(name, version, size, added)`` of everything shared: competitions, datasets, then
    plain folders put in by hand."""
    root = Path(root)
    rows = []
    for name, folder in kaggle_folders(root):
        meta = recorded(folder)
        rows.append((name, meta.get("version"), _size(folder), meta.get("added", "by hand")))
    return rows + [(name, None, _size(root / name), "by hand") for name in plain_folders(root)]


def remove(root, text):
    """Remove ``text``'s shared copy; return its folder."""
    handle = parse_handle(text)
    target = handle.folder(root)
    if not target.is_dir():
        raise DatasetError(f"The team has no copy of {handle.name} in {root}.")
    shutil.rmtree(target)
    return target
