"""A hub on a swarm names a missing fence at its start."""

import yaml

from spawner.hub import swarm
from spawner.settings.environment import REPO_DIR


def service(mode, command):
    spec = {"Mode": mode, "TaskTemplate": {"ContainerSpec": {"Command": command}}}
    return {"Spec": spec}


def test_the_stacks_fence_is_recognised_and_nothing_else_is():
    stack = yaml.safe_load((REPO_DIR / "deploy/swarm/stack.yml").read_text())
    fence = stack["services"]["fence"]
    assert fence["deploy"]["mode"] == "global"
    assert swarm.is_fence(service({"Global": {}}, fence["command"]))
    assert not swarm.is_fence(service({"Replicated": {"Replicas": 1}}, fence["command"]))
    assert not swarm.is_fence(service({"Global": {}}, ["jupyterhub"]))
    assert not swarm.is_fence({"Spec": {}})
