"""What a server's task says, in words a person can act on."""

from spawner.server import profiles
from spawner.swarm import tasks

(GPU,) = profiles.parse(
    [{"name": "gpu-nodes", "constraints": ["node.labels.gpu==true"]}], "img", "2g"
)


def task(state, err="", node="", code=0):
    return {
        "NodeID": node,
        "Status": {"State": state, "Err": err, "ContainerStatus": {"ExitCode": code}},
    }


def test_progress_names_the_node_once_placed():
    assert tasks.progress(task("pending"), "") == "Waiting for Swarm to place the server on a node"
    assert tasks.progress(task("preparing", node="abc"), "gpu-box") == (
        "Node gpu-box is preparing the server (pulling the image if it has none)"
    )
    assert tasks.progress(task("running"), "x") is None


def test_unschedulable_only_while_pending_without_a_node():
    reason = "no suitable node (scheduling constraints not satisfied on 1 node)"
    assert tasks.unschedulable(task("pending", reason)) == reason
    assert tasks.unschedulable(task("pending")) == ""
    assert tasks.unschedulable(task("rejected", reason)) == ""


def test_unschedulable_message_names_profile_constraint_and_fix():
    message = tasks.unschedulable_message(GPU, "", "no suitable node (...)", 30)
    assert message.startswith(
        "No node of the swarm can run the profile 'gpu-nodes' with node.labels.gpu==true: "
        "Swarm says 'no suitable node (...)' after 30 s."
    )
    assert "docker node update --label-add" in message


def test_a_pinned_server_is_told_about_its_volumes_node():
    (plain,) = profiles.parse([{"name": "cpu"}], "img", "2g")
    message = tasks.unschedulable_message(plain, "box-2", "no suitable node", 30)
    assert "profile 'cpu' with the node box-2 (it holds this server's files)" in message
    assert "If box-2 is down or drained" in message
    assert "--label-add" not in message


def test_a_pinned_server_with_a_constrained_profile_gets_both_fixes():
    message = tasks.unschedulable_message(GPU, "box-2", "no suitable node", 30)
    assert "with node.labels.gpu==true and the node box-2" in message
    assert "--label-add" in message and "--availability active" in message
    assert "files on NFS" in message


def test_ended_tasks_say_why():
    assert tasks.ended_message(task("running"), "img", "docker pull img") is None
    missing = tasks.ended_message(task("rejected", "No such image: img"), "img", "docker pull img")
    assert missing.startswith("The image 'img' is not on the node Swarm chose")
    assert "docker pull img" in missing
    failed = tasks.ended_message(task("failed", "task: non-zero exit (1)", code=1), "img", "")
    assert failed == (
        "The server stopped as it started (failed: task: non-zero exit (1), exit code 1)."
    )


def test_a_task_is_abandoned_when_swarm_wants_it_shut_down_but_last_saw_it_running():
    def seen(state, desired):
        return {**task(state, node="abc"), "DesiredState": desired}

    assert tasks.abandoned(seen("running", "shutdown"))
    assert not tasks.abandoned(seen("running", "running"))
    assert not tasks.abandoned(seen("shutdown", "shutdown"))
    assert not tasks.abandoned(None)
    assert "(gpu-box) stopped answering" in tasks.node_lost_reason("gpu-box")


def test_a_tasks_address_is_its_own_on_the_servers_network():
    attached = {
        "NetworksAttachments": [
            {"Network": {"Spec": {"Name": "ingress"}}, "Addresses": ["10.0.0.5/24"]},
            {"Network": {"Spec": {"Name": "kaggle-team-hub"}}, "Addresses": ["10.0.2.7/24"]},
        ]
    }
    assert tasks.address_on(attached, "kaggle-team-hub") == "10.0.2.7"
    assert tasks.address_on(attached, "other") == ""
    assert tasks.address_on(None, "kaggle-team-hub") == ""
