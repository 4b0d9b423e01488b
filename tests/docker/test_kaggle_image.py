"""The real image's recipe (deploy/kaggle/Dockerfile through ./deploy/build-image kaggle),
exercised FROM the stand-in given Kaggle's own jupyter_server pin, since Kaggle's registry
is out of reach: doctor flags the unpatched server, the recipe patches it, checks that
jupyter lab starts and records the versions, and a user's server runs in the result."""

import contextlib
import re
import subprocess
import sys

import docker
import jupyterhub
import pytest

from spawner.images import tags
from spawner.settings.environment import REPO_DIR

from ..hubprocess import UserServer, kaggle_hub

pytestmark = pytest.mark.docker

KAGGLES_PIN = "2.12.5"
BASE = "kth-test-kaggle-base"


@pytest.fixture(scope="module")
def unpatched_base(docker_client, image, tmp_path_factory):
    """The stand-in with jupyter_server at Kaggle's pin, as Kaggle's image has it."""
    context = tmp_path_factory.mktemp("kaggle-base")
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
         "-d", str(context / "wheels"), f"jupyter_server=={KAGGLES_PIN}"],
        check=True,
    )  # fmt: skip
    (context / "Dockerfile").write_text(
        f"FROM {image}\nCOPY wheels /tmp/wheels\n"
        "RUN python3 -m pip install -q --break-system-packages --no-index --no-deps "
        "/tmp/wheels/*.whl && rm -rf /tmp/wheels\n"
    )
    subprocess.run(["docker", "build", "-q", "-t", f"{BASE}:unpatched", str(context)], check=True)
    yield f"{BASE}:unpatched"
    docker_client.remove_image(f"{BASE}:unpatched", force=True)


def build_kaggle(base_tag, tag):
    """``./deploy/build-image kaggle`` FROM ``BASE:base_tag``, tagged ``tag``."""
    env = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "KAGGLE_BASE_IMAGE": BASE,
        "KAGGLE_BASE_TAG": base_tag,
        "KAGGLE_HUB_BUILD_TAG": tag,
    }
    return subprocess.run(
        [str(REPO_DIR / "deploy/build-image"), "kaggle"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def built(docker_client, unpatched_base):
    """The recipe built FROM the unpatched base; the tag it printed."""
    done = build_kaggle("unpatched", "kth-test-kaggle:patched")
    assert done.returncode == 0, done.stderr[-5000:]
    tag = done.stdout.strip().splitlines()[-1]
    yield tag
    docker_client.remove_image(tag, force=True)


def test_a_server_extension_that_no_longer_loads_fails_the_build_naming_it(
    docker_client, unpatched_base, tmp_path
):
    broken = tmp_path / "Dockerfile"
    broken.write_text(
        f"FROM {unpatched_base}\n"
        'RUN echo \'{"ServerApp": {"jpserver_extensions": {"kth_gone": true}}}\' '
        "> /usr/local/etc/jupyter/jupyter_server_config.d/kth_gone.json\n"
    )
    subprocess.run(["docker", "build", "-q", "-t", f"{BASE}:broken", str(tmp_path)], check=True)
    done = None
    try:
        done = build_kaggle("broken", "kth-test-kaggle:broken")
        assert done.returncode != 0
        assert "jupyter lab started, but an extension failed" in done.stderr
        assert "kth_gone | error adding extension" in done.stderr
    finally:
        # The steps before the failed one are left as untagged images; they hold the
        # stand-in's layers, which would make the pull tests' pulls instant.
        # Children first; the first is the broken base itself.
        steps = re.findall(r"^ ---> ([0-9a-f]{12})$", done.stderr if done else "", re.M)
        for step in [*reversed(steps), f"{BASE}:broken"]:
            with contextlib.suppress(docker.errors.NotFound):
                docker_client.remove_image(step, force=True)


def test_doctor_flags_kaggles_unpatched_server_with_the_fix(make_hub, unpatched_base):
    hub = make_hub()
    report = kaggle_hub({**hub.env, "KAGGLE_HUB_IMAGE": unpatched_base}, "doctor")
    assert report.returncode == 1, report.stdout
    assert (
        f"FAIL  image {unpatched_base}: has jupyter_server {KAGGLES_PIN}, below "
        f"{tags.JUPYTER_SERVER_PATCHED}, the release that fixes its published "
        "path-traversal and stored-XSS advisories\n"
        f"      fix: a Dockerfile FROM {unpatched_base} that runs "
        f"'pip install jupyter_server=={tags.JUPYTER_SERVER_VERSION}'"
    ) in report.stdout


def test_the_recipe_patches_the_server_records_versions_and_serves_users(
    make_hub, docker_client, built
):
    labels = docker_client.inspect_image(built)["Config"]["Labels"]
    assert labels["org.kaggle-team-hub.base"] == f"{BASE}:unpatched"
    assert labels["org.kaggle-team-hub.jupyterhub-version"] == jupyterhub.__version__
    assert labels["org.kaggle-team-hub.jupyter-server-version"] == tags.JUPYTER_SERVER_VERSION

    hub = make_hub(env={"KAGGLE_HUB_IMAGE": built})
    report = kaggle_hub(hub.env, "doctor")
    assert f"OK    image {built}: present, jupyterhub {jupyterhub.__version__}, " in report.stdout
    assert f"jupyter_server {tags.JUPYTER_SERVER_VERSION}" in report.stdout
    token = hub.create_user("kay")
    hub.start_server("kay")
    server = UserServer(hub, "kay", token)
    assert server.get("api/status").status_code == 200
    assert server.run("import jupyter_server; print(jupyter_server.__version__)").strip() == (
        tags.JUPYTER_SERVER_VERSION
    )
