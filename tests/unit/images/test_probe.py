"""An image's jupyterhub version is probed once on the machine, whichever hub process asks.

The engine is a stand-in that counts probe containers: what is tested is the keeping of the
answer, not Docker (tests/docker/test_failures runs the probe against the real engine)."""

import pytest

from spawner.images import probe


class Engine:
    """Answers probe containers with ``printed``; counts them."""

    def __init__(self, printed):
        self.printed = printed
        self.probes = 0

    def create_host_config(self, **kwargs):
        return kwargs

    def create_container(self, **kwargs):
        self.probes += 1
        return {"Id": f"probe-{self.probes}"}

    def start(self, container):
        pass

    def wait(self, container, timeout):
        return {"StatusCode": 0}

    def logs(self, container, **kwargs):
        return self.printed.encode()

    def remove_container(self, container, force):
        pass


@pytest.fixture(autouse=True)
def new_process(monkeypatch):
    """Each call as the first of a new hub process: nothing known in memory."""
    monkeypatch.setattr(probe, "_VERSIONS", {})


@pytest.mark.parametrize(
    ("printed", "version"), [("5.5.4\n", "5.5.4"), (probe.NOT_INSTALLED + "\n", None)]
)
def test_a_second_hub_process_takes_the_version_the_first_found(tmp_path, printed, version):
    engine = Engine(printed)
    assert probe.cached_jupyterhub_version(engine, "sha256:abc", tmp_path) == version
    probe._VERSIONS.clear()
    assert probe.cached_jupyterhub_version(engine, "sha256:abc", tmp_path) == version
    assert engine.probes == 1
    assert [p.name for p in tmp_path.iterdir()] == ["jupyterhub-in-abc"]


def test_another_image_is_probed_for_itself(tmp_path):
    probe.cached_jupyterhub_version(Engine("5.5.4\n"), "sha256:abc", tmp_path)
    probe._VERSIONS.clear()
    assert probe.cached_jupyterhub_version(Engine("0.0.1\n"), "sha256:def", tmp_path) == "0.0.1"


def test_without_a_folder_to_keep_it_in_each_process_probes(tmp_path):
    engine = Engine("5.5.4\n")
    (tmp_path / "file").write_text("")
    unmakeable = tmp_path / "file" / "shared"
    for _ in range(2):
        probe._VERSIONS.clear()
        assert probe.cached_jupyterhub_version(engine, "sha256:abc", unmakeable) == "5.5.4"
    assert engine.probes == 2
