"""Which services are servers no hub record knows."""

from spawner.swarm import orphans


def service(name, prefix="kaggle", server=None, created="2026-12-02T09:10:06.167325419Z"):
    labels = {"org.kaggle-team-hub.prefix": prefix}
    if server:
        labels["org.kaggle-team-hub.server-name"] = server
    return {"Spec": {"Name": name, "Labels": labels}, "CreatedAt": created}


def test_creation_time_keeps_the_fraction():
    assert orphans.created_at(service("a")) == 1796202606.167325419
    assert orphans.created_at({"CreatedAt": "2026-12-02T09:10:06Z"}) == 1796202606.0


def test_only_unknown_servers_of_this_hub_made_before_it_started():
    before = 1796202607.0
    services = [
        service("kaggle-ann", server="kaggle-ann"),
        service("kaggle-bob", server="kaggle-bob"),
        service("other-cal", prefix="other", server="other-cal"),
        service("kaggle-dan", server="kaggle-dan", created="2026-12-02T09:10:08Z"),
        service("kaggle-web"),
    ]
    assert orphans.orphans(services, "kaggle", {"kaggle-bob"}, before) == ["kaggle-ann"]
