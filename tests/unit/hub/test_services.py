from spawner.hub import services


def test_idle_culler_service_and_its_narrow_role():
    (service,), (role,) = services.idle_culler(3600, "/py")
    assert service == {
        "name": "idle-culler",
        "command": ["/py", "-m", "jupyterhub_idle_culler", "--timeout=3600", "--cull-every=300"],
    }
    assert role == {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
    assert services.idle_culler(10, "/py")[0][0]["command"][-1] == "--cull-every=5"
    assert services.idle_culler(0, "/py") == ([], [])


def test_the_culler_dies_with_the_hub_where_setpriv_is():
    (service,), _ = services.idle_culler(3600, "/py", "/usr/bin/setpriv")
    assert service["command"][:5] == ["/usr/bin/setpriv", "--pdeathsig", "TERM", "/py", "-m"]


def test_the_backup_schedule_dies_with_the_hub_and_gets_only_what_it_needs():
    environ = {
        "KAGGLE_HUB_BACKUP_DIR": "/mnt/backup",
        "DOCKER_HOST": "unix:///run/docker.sock",
        "TZ": "Europe/Berlin",
        "HOME": "/root",
        "OAUTH_SECRET": "s3cret",
    }
    (service,) = services.backup_schedule(True, "/py", "/srv/hub", environ, "/usr/bin/setpriv")
    assert service["name"] == "backups"
    assert service["command"] == [
        "/usr/bin/setpriv", "--pdeathsig", "TERM",
        "/py", "-m", "spawner.admin.schedule", "--config-dir", "/srv/hub",
    ]  # fmt: skip
    assert service["environment"] == {
        "KAGGLE_HUB_BACKUP_DIR": "/mnt/backup",
        "DOCKER_HOST": "unix:///run/docker.sock",
        "TZ": "Europe/Berlin",
    }
    assert services.backup_schedule(False, "/py", "/srv/hub", environ) == []


def test_cookies_are_same_site_and_secure_under_https_and_pages_nosniff():
    plain = services.tornado_settings("http://127.0.0.1:8000")
    assert plain["cookie_options"] == {"samesite": "Lax"}
    assert plain["headers"] == {"X-Content-Type-Options": "nosniff"}
    https = services.tornado_settings("https://hub.example.org")
    assert https["cookie_options"] == {"samesite": "Lax", "secure": True}


def test_activity_is_reported_often_enough_for_the_cullers_timeout():
    assert services.activity_interval(3600) == 300
    assert services.activity_interval(300) == 100
    assert services.activity_interval(6) == 2
    assert services.activity_interval(2) == 1
    assert services.activity_interval(0) == 300


def test_members_may_share_their_own_servers_only_when_sharing_is_on():
    role = {"name": "user", "scopes": ["self", "kaggle-secrets!user"]}
    assert services.user_scopes(role, True) == {
        "name": "user",
        "scopes": [
            "self",
            "kaggle-secrets!user",
            "shares!user",
            "read:users:name",
            "read:groups:name",
        ],
    }
    assert services.user_scopes(role, False) == role
    assert role["scopes"] == ["self", "kaggle-secrets!user"]
