"""The fence each swarm node keeps for its servers: which addresses, which rules, which
iptables. The rules themselves are tried on real nodes in the swarm tiers."""

import subprocess

from spawner.swarm import fence

SERVER = "a" * 64
HUB = "b" * 64
BRIDGE = {
    SERVER: {"Name": "gateway_a", "IPv4Address": "172.18.0.5/16"},
    HUB: {"Name": "gateway_b", "IPv4Address": "172.18.0.3/16"},
    "ingress-sbox": {"Name": "gateway_ingress-sbox", "IPv4Address": "172.18.0.2/16"},
}


def test_only_running_servers_addresses_are_fenced():
    assert fence.bridge_addresses(BRIDGE, {SERVER}) == {"172.18.0.5"}
    # A server on an internal network is not on the bridge: nothing to fence.
    assert fence.bridge_addresses(BRIDGE, {"c" * 64}) == set()


def test_the_chain_is_replaced_whole_letting_replies_through_and_dropping_servers():
    chain = fence.chain_name("kaggle-team-hub_fence")
    assert chain.startswith("KTH-FENCE-") and len(chain) <= 28
    assert fence.restore_text(chain, {"172.18.0.9", "172.18.0.5"}).splitlines() == [
        "*filter",
        f":{chain} - [0:0]",
        f"-A {chain} -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN",
        f"-A {chain} -s 172.18.0.5/32 -j DROP",
        f"-A {chain} -s 172.18.0.9/32 -j DROP",
        "COMMIT",
    ]


def test_two_stacks_fences_keep_chains_of_their_own():
    assert fence.chain_name("one_fence") != fence.chain_name("two_fence")


class FakeDocker:
    """A node's Docker running ``servers``; a server in ``dying`` is still listed for that
    many more asks after its die event, and its events are ``events``."""

    def __init__(self, servers, dying=None, events=()):
        self.servers = list(servers)
        self.dying = dict(dying or {})
        self._events = events

    def containers(self, filters):
        if "id" in filters:
            left = self.dying.get(filters["id"], 0)
            self.dying[filters["id"]] = left - 1
            return [{"Id": filters["id"]}] if left > 0 else []
        assert filters == {"label": "org.kaggle-team-hub.server-name"}
        return [{"Id": s} for s in self.servers if self.dying.get(s, 0) >= 0]

    def events(self, decode, filters):
        assert filters["label"] == "org.kaggle-team-hub.server-name"
        return iter(self._events)

    def inspect_network(self, name):
        assert name == "docker_gwbridge"
        return {"Containers": BRIDGE}


class FakeIptables:
    """iptables of a node whose Docker uses ``family``; records what was run."""

    def __init__(self, family, jumped=False, refused=()):
        self.family = family
        self.jumped = jumped
        self.refused = refused
        self.ran = []

    def __call__(self, args, input=None, check=False, **_):
        self.ran.append((args, input))
        ok = args[0].startswith(self.family) and args[0] not in self.refused
        if args[1:2] == ["-C"]:
            ok = ok and self.jumped
        if check and not ok:
            raise subprocess.CalledProcessError(1, args, stderr="iptables: No chain/target.\n")
        return subprocess.CompletedProcess(args, 0 if ok else 1)


def test_a_node_on_legacy_iptables_is_fenced_with_legacy_iptables():
    run = FakeIptables("iptables-legacy")
    assert fence.backend(run) == "iptables-legacy"
    assert fence.backend(FakeIptables("iptables-nft")) == "iptables-nft"


def test_apply_replaces_the_chain_and_jumps_to_it_once():
    run = FakeIptables("iptables-nft")
    node = fence.Fence(FakeDocker([SERVER]), "KTH-FENCE-X", run=run)
    node.apply()
    restore = [(a, i) for a, i in run.ran if a[0] == "iptables-nft-restore"]
    assert restore == [
        (["iptables-nft-restore", "--noflush"], fence.restore_text("KTH-FENCE-X", {"172.18.0.5"}))
    ]
    jump = ["INPUT", "-i", "docker_gwbridge", "-j", "KTH-FENCE-X"]
    assert (["iptables-nft", "-I", *jump], None) in run.ran
    run.jumped, run.ran = True, []
    node.apply()
    assert not [a for a, _ in run.ran if a[1:2] == ["-I"]]


def test_leaving_takes_the_jump_and_the_chain_away():
    run = FakeIptables("iptables-nft", jumped=True)
    node = fence.Fence(FakeDocker([]), "KTH-FENCE-X", run=run)
    run.ran = []
    node.remove()
    assert [a for a, _ in run.ran] == [
        ["iptables-nft", "-D", "INPUT", "-i", "docker_gwbridge", "-j", "KTH-FENCE-X"],
        ["iptables-nft", "-F", "KTH-FENCE-X"],
        ["iptables-nft", "-X", "KTH-FENCE-X"],
    ]


def test_a_servers_end_waits_until_docker_lets_go_of_its_address():
    run = FakeIptables("iptables-nft", jumped=True)
    docker = FakeDocker([SERVER], dying={SERVER: 3}, events=[{"Action": "die", "id": SERVER}])
    slept = []
    node = fence.Fence(docker, "KTH-FENCE-X", run=run, clock=lambda: len(slept), sleep=slept.append)
    node.follow()
    assert len(slept) == 3
    assert node.fenced == set()
    restored = [text for args, text in run.ran if args[0] == "iptables-nft-restore"]
    assert restored == [
        fence.restore_text("KTH-FENCE-X", {"172.18.0.5"}),
        fence.restore_text("KTH-FENCE-X", set()),
    ]


def test_a_refused_change_is_named_in_the_log_and_the_chain_still_goes(caplog):
    run = FakeIptables("iptables-nft", refused=("iptables-nft-restore",))
    node = fence.Fence(FakeDocker([SERVER]), "KTH-FENCE-X", run=run)
    assert fence.keep(node) == 1
    assert "Cannot fence this node: iptables-nft-restore failed: iptables: No chain/target." in (
        caplog.text
    )
    assert [a[1] for a, _ in run.ran[-3:]] == ["-D", "-F", "-X"]
