"""A server's swarm service in plain values: mounts, resources, placement, the service."""

import pytest

from spawner.server import profiles
from spawner.swarm import specs

PROFILE = profiles.parse(
    [{"name": "gpu", "gpus": ["0", "1"], "constraints": ["node.labels.gpu==true"]}],
    "img",
    "2g",
)[0]
LABELS = {"org.kaggle-team-hub.user": "ann"}
BINDS = {
    "kaggle-ann-work": {"bind": "/tmp/working", "mode": "rw"},
    "/srv/data": {"bind": "/kaggle/input/competitions", "mode": "ro"},
}


def test_mounts_volumes_binds_and_shared_memory():
    found = specs.mounts(BINDS, {"kaggle-ann-work": (LABELS, None)}, 2**31)
    assert found == [
        {
            "Target": "/tmp/working",
            "Source": "kaggle-ann-work",
            "Type": "volume",
            "ReadOnly": False,
            "VolumeOptions": {"Labels": LABELS},
        },
        {
            "Target": "/kaggle/input/competitions",
            "Source": "/srv/data",
            "Type": "bind",
            "ReadOnly": True,
        },
        {
            "Target": "/dev/shm",
            "Source": None,
            "Type": "tmpfs",
            "ReadOnly": False,
            "TmpfsOptions": {"SizeBytes": 2**31},
        },
    ]


def test_on_nfs_the_volumes_are_export_folders_and_host_folders_stay_binds():
    driver = specs.nfs_driver("nfs.lan", "/srv/vols", "kaggle-ann-work")
    work, data, _ = specs.mounts(BINDS, {"kaggle-ann-work": (LABELS, driver)}, 2**31)
    assert work["VolumeOptions"]["DriverConfig"] == {
        "Name": "local",
        "Options": {
            "type": "nfs",
            "o": "addr=nfs.lan,rw,nfsvers=4",
            "device": ":/srv/vols/kaggle-ann-work",
        },
    }
    assert "VolumeOptions" not in data


def test_resources_limits_reservations_and_gpus():
    found = specs.resources(PROFILE, 2**30, 1.5, mem_guarantee=2**29, cpu_guarantee=0.5)
    assert found == {
        "Limits": {"NanoCPUs": 1_500_000_000, "MemoryBytes": 2**30, "Pids": 4096},
        "Reservations": {
            "NanoCPUs": 500_000_000,
            "MemoryBytes": 2**29,
            "GenericResources": [{"DiscreteResourceSpec": {"Kind": "NVIDIA-GPU", "Value": 2}}],
        },
    }


def test_a_count_of_gpus_reserves_that_many_units():
    (one,) = profiles.parse([{"name": "one", "gpus": 1}], "img", "2g")
    assert specs.gpu_resources(one) == {"NVIDIA-GPU": 1}


def test_all_gpus_cannot_be_placed_and_says_what_to_write():
    (everything,) = profiles.parse([{"name": "big", "gpus": "all"}], "img", "2g")
    with pytest.raises(specs.SpecError, match="profile 'big' asks for gpus='all'.*gpus: 1"):
        specs.resources(everything, None, None)


@pytest.mark.parametrize(
    "node, constraints",
    [
        ("", ["node.labels.gpu==true"]),
        ("n1", ["node.labels.gpu==true", "node.id==n1"]),
    ],
)
def test_placement_adds_the_volumes_node(node, constraints):
    assert specs.placement(PROFILE, node) == {"Constraints": constraints}


def test_a_profile_without_constraints_goes_anywhere():
    (plain,) = profiles.parse([{"name": "cpu"}], "img", "2g")
    assert specs.placement(plain) == {}


def test_the_service_has_one_task_never_restarted_reached_by_name():
    found = specs.service(
        name="kaggle-ann",
        image="img",
        command=["/bin/sh", "-c", "x"],
        env={"A": "1"},
        server_mounts=[],
        task_resources=specs.resources(PROFILE, None, None),
        task_placement=specs.placement(PROFILE),
        network="kaggle-team-hub",
        labels=LABELS,
    )
    template = found["task_template"]
    assert found["name"] == "kaggle-ann"
    assert found["labels"] == LABELS
    assert found["endpoint_spec"] == {"Mode": "dnsrr"}
    assert template["RestartPolicy"]["Condition"] == "none"
    assert template["Networks"] == [{"Target": "kaggle-team-hub"}]
    assert template["ContainerSpec"]["Args"] == ["/bin/sh", "-c", "x"]
    assert template["ContainerSpec"]["Env"] == ["A=1"]
    assert template["ContainerSpec"]["Labels"] == LABELS
    assert "NET_RAW" in template["ContainerSpec"]["CapabilityDrop"]
    assert template["LogDriver"]["Name"] == "json-file"
