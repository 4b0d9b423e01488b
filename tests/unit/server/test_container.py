from spawner.server import container, layout


def test_command_runs_the_layout_script_then_the_server_as_root():
    cmd = container.command(["jupyterhub-singleuser"], ["--debug"])
    assert cmd[:2] == ["/bin/sh", "-c"]
    assert cmd[2] == layout.startup_script()
    assert cmd[3:] == [
        "kaggle-team-hub-start",
        "/bin/sh",
        "-c",
        container.LAUNCHER,
        container.LAUNCHER_NAME,
        container.IN_SERVER,
        "serve",
        "jupyterhub-singleuser",
        "--allow-root",
        "--debug",
    ]


def test_command_keeps_an_admins_cmd():
    cmd = container.command(["tini", "--", "jupyterhub-singleuser"], [])
    assert cmd[3:] == [
        "kaggle-team-hub-start",
        "tini",
        "--",
        "jupyterhub-singleuser",
        "--allow-root",
    ]


def test_environment_keeps_credentials_and_lab_settings_in_the_volume():
    assert container.environment() == {
        "KAGGLE_CONFIG_DIR": "/tmp/working/.kaggle",
        "JUPYTERLAB_SETTINGS_DIR": "/tmp/working/.jupyter/lab/user-settings",
        "JUPYTERLAB_WORKSPACES_DIR": "/tmp/working/.jupyter/lab/workspaces",
        "JUPYTER_CONFIG_PATH": "/tmp/kaggle-team-hub/jupyter",
    }
    assert container.environment({"X": "1"})["X"] == "1"


def test_work_volume_bind():
    assert container.work_volume_bind("kaggle-alice-work") == {
        "kaggle-alice-work": {"bind": "/tmp/working", "mode": "rw"}
    }


def test_server_args_set_how_long_the_server_trusts_a_login_and_delete_for_good():
    assert container.server_args(1) == [
        "--HubOAuth.cache_max_age=1",
        "--FileContentsManager.delete_to_trash=False",
    ]


def test_safe_defaults_for_every_server():
    config = container.safety_host_config()
    assert "NET_RAW" in config["cap_drop"]
    assert config["security_opt"] == ["no-new-privileges:true"]
    assert config["pids_limit"] == container.PIDS_LIMIT
    assert config["oom_score_adj"] > 0
    assert container.default_memory_limit(16 * 1024**3) == 12 * 1024**3


def test_servers_get_the_environment_kaggles_libraries_read_pointing_at_the_hub():
    assert container.kaggle_environment("http://172.30.0.1:28000/hub/api", "tok") == {
        "KAGGLE_KERNEL_RUN_TYPE": "Interactive",
        "KAGGLE_URL_BASE": "http://172.30.0.1:28000/hub/kaggle",
        "KAGGLE_DATA_PROXY_URL": "http://172.30.0.1:28000/hub/kaggle",
        "KAGGLE_DATA_PROXY_TOKEN": "kaggle-team-hub",
        "KAGGLE_USER_SECRETS_TOKEN": "tok",
    }
