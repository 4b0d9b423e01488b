from spawner.server import layout


def test_startup_script_never_mounts_over_root_and_ends_in_exec():
    script = layout.startup_script()
    assert "/root" not in script
    assert script.splitlines()[-1] == 'exec "$@"'
    assert "mkdir -p /tmp/working/code" in script
    assert "ln -sfn /tmp/working/input /kaggle/input" in script
    assert "ln -sfn /tmp/working/code /kaggle/working" in script
