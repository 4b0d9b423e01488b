"""Hub-managed services, as plain config values."""

CULLER = "idle-culler"
# Exactly what jupyterhub-idle-culler needs to find idle servers and stop them.
CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]


def idle_culler(timeout, python):
    """The culler's service and role for ``timeout`` seconds of idleness (none for 0)."""
    if timeout <= 0:
        return [], []
    service = {
        "name": CULLER,
        "command": [
            python,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={timeout}",
            f"--cull-every={max(1, min(timeout // 2, 300))}",
        ],
    }
    role = {"name": CULLER, "scopes": list(CULLER_SCOPES), "services": [CULLER]}
    return [service], [role]
