"""Which of the proxy's addresses another program already listens on, and what to say."""

import socket


def busy_addresses(addresses):
    """Those of ``addresses`` (``host:port``) that another program already listens on."""
    busy = []
    for address in addresses:
        host, _, port = address.rpartition(":")
        host = host.strip("[]") or "0.0.0.0"
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, int(port)))
            except OSError:
                busy.append(address)
    return busy


def busy_message(busy):
    ports = ", ".join(busy)
    first = busy[0].rpartition(":")[2]
    return (
        f"The proxy cannot listen on {ports}: another program already does (a hub or "
        f"traefik still running, a web server). Find it with: ss -ltnp 'sport = :{first}'; "
        "stop it, or give this hub other ports (KAGGLE_HUB_PORT, KAGGLE_HUB_HTTP_PORT)."
    )
