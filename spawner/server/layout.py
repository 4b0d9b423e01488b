"""Where a user's files live inside their server, and the script that lays them out.

The persistent volume is mounted at ``WORK_DIR``, JupyterLab's root directory. Inside it:

    code/      notebooks and outputs; ``/kaggle/working`` points here
    input/     datasets; ``/kaggle/input`` points here, so ``../input/x.csv`` read from a
               notebook in ``code/`` and ``/kaggle/input/x.csv`` name the same file
    .kaggle/   Kaggle API credentials (``KAGGLE_CONFIG_DIR``)
    .jupyter/  JupyterLab user settings and workspaces

``/root`` is never mounted over: the Kaggle image keeps its own content there.
"""

import shlex
from pathlib import Path

WORK_DIR = "/tmp/working"
TREE = ("code", "input")
KAGGLE_LINKS = {"/kaggle/working": "code", "/kaggle/input": "input"}
KAGGLE_CONFIG_DIR = f"{WORK_DIR}/.kaggle"
LAB_SETTINGS_DIR = f"{WORK_DIR}/.jupyter/lab/user-settings"
LAB_WORKSPACES_DIR = f"{WORK_DIR}/.jupyter/lab/workspaces"
# JupyterLab asks every new user whether to fetch Jupyter's news; the answer "no" is
# written once as the user's own setting, which they can change.
NEWS_SETTING = f"{LAB_SETTINGS_DIR}/@jupyterlab/apputils-extension/notification.jupyterlab-settings"
NEWS_OFF = '{"fetchNews": "false"}'
# The single-user server's own config (outside the volume): it keeps open JupyterLab pages
# working while the hub restarts.
SERVER_CONFIG_DIR = "/tmp/kaggle-team-hub/jupyter"
SERVER_CONFIG = Path(__file__).with_name("in_server") / "jupyter_server_config.py"


def persistent_env():
    """Environment that keeps credentials and JupyterLab settings in the volume, and
    points the server at its own config."""
    return {
        "KAGGLE_CONFIG_DIR": KAGGLE_CONFIG_DIR,
        "JUPYTERLAB_SETTINGS_DIR": LAB_SETTINGS_DIR,
        "JUPYTERLAB_WORKSPACES_DIR": LAB_WORKSPACES_DIR,
        "JUPYTER_CONFIG_PATH": SERVER_CONFIG_DIR,
    }


def startup_script():
    """Shell script run as the container's command before the single-user server.

    It creates the tree (``mkdir -p`` never replaces a file), points the Kaggle paths at
    it, and then ``exec``s its arguments, so the server is the container's main process.
    A path that cannot be laid out is reported in the container log; the server still
    starts, so the user can reach their files and fix it.
    """
    lines = ["set -u"]
    for name in TREE:
        path = shlex.quote(f"{WORK_DIR}/{name}")
        lines.append(f'mkdir -p {path} || echo "kaggle-team-hub: cannot create {path}" >&2')
    for dir_name in (KAGGLE_CONFIG_DIR, LAB_SETTINGS_DIR, LAB_WORKSPACES_DIR):
        lines.append(f"mkdir -p {shlex.quote(dir_name)} 2>/dev/null || true")
    lines.append("chmod 700 " + shlex.quote(KAGGLE_CONFIG_DIR) + " 2>/dev/null || true")
    news = shlex.quote(NEWS_SETTING)
    lines.append(
        f'[ -e {news} ] || {{ mkdir -p "$(dirname {news})" && '
        f"echo {shlex.quote(NEWS_OFF)} > {news}; }} 2>/dev/null || true"
    )
    lines.append("mkdir -p /kaggle/temp")
    config_dir = shlex.quote(SERVER_CONFIG_DIR)
    config = shlex.quote(SERVER_CONFIG.read_text())
    lines.append(
        f"mkdir -p {config_dir} && printf '%s' {config} > {config_dir}/jupyter_server_config.py"
        ' || echo "kaggle-team-hub: cannot write the server config" >&2'
    )
    for link, target in KAGGLE_LINKS.items():
        src = shlex.quote(f"{WORK_DIR}/{target}")
        dst = shlex.quote(link)
        lines.append(
            f"if [ -L {dst} ] || [ ! -e {dst} ] || rmdir {dst} 2>/dev/null; "
            f"then ln -sfn {src} {dst}; "
            f'else echo "kaggle-team-hub: {dst} is not empty, not linked to {src}" >&2; fi'
        )
    lines.append('exec "$@"')
    return "\n".join(lines)
