"""7. Which proxy serves the team's HTTPS: traefik (what the hub runs) and
configurable-http-proxy (JupyterHub's default, TLS through ``ssl_cert``/``ssl_key``),
each terminating HTTPS in front of the same JupyterLab, against that server direct."""

import json
import sys
from pathlib import Path

import trustme

from ..hubprocess import free_port
from ..processes import LoggedProcess
from .datapath import BULK_BYTES, download_rate, requests_per_second
from .figures import fmt, ratio, stats
from .run import PREFIX, wait_http

TRAEFIK = str(Path(sys.executable).parent / "traefik")


def measure(run):
    workdir = run.workdir / "proxies"
    workdir.mkdir()
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(workdir / "cert.pem")
    cert.private_key_pem.write_to_path(workdir / "key.pem")
    ca.cert_pem.write_to_path(workdir / "ca.pem")
    cid, direct = run.bare_start(f"{PREFIX}-bare-proxies")
    wait_http(direct + "/api/status")
    run.client.exec_start(
        run.client.exec_create(cid, ["sh", "-c", f"head -c {BULK_BYTES} /dev/urandom > /tmp/b"])
    )
    proxies = {"traefik": traefik(workdir, direct), "configurable-http-proxy": chp(workdir, direct)}
    try:
        figures = {name: endpoint(run, p.url, workdir) for name, p in proxies.items()}
        figures["direct"] = endpoint(run, direct, None)
    finally:
        for process in proxies.values():
            process.stop()
        run.remove(cid)
    base = figures["direct"]
    for name in ("traefik", "configurable-http-proxy"):
        rps, bulk = figures[name]
        run.rows += [
            (
                f"7. HTTPS requests/s, wrk, 4 connections: {name} (direct, plain HTTP)",
                f"{fmt(rps, 'req/s', digits=0)} ({fmt(base[0], 'req/s', digits=0)})",
                ratio(rps, base[0]),
            ),
            (
                f"7. HTTPS download of {BULK_BYTES // 10**6} MB: {name} (direct, plain HTTP)",
                f"{fmt(bulk, 'MB/s', 1e-6, 0)} ({fmt(base[1], 'MB/s', 1e-6, 0)})",
                ratio(bulk, base[1]),
            ),
        ]
        key = "traefik" if name == "traefik" else "chp"
        run.result[f"{key}_rps_ratio"] = rps["median"] / base[0]["median"]
        run.result[f"{key}_bulk_ratio"] = bulk["median"] / base[1]["median"]


def endpoint(run, url, workdir):
    """(requests/s, download bytes/s) stats at ``url`` (HTTPS checked against the CA)."""
    curl_ca = ["--cacert", str(workdir / "ca.pem")] if workdir else []
    rps = [requests_per_second(url + "/api/status", {}) for _ in range(run.runs)]
    # Without a token, jupyter-server serves files to a page of its own only.
    referer = {"Referer": url + "/"}
    bulk = [download_rate(url + "/files/tmp/b", referer, extra=curl_ca) for _ in range(run.runs)]
    return stats(rps), stats(bulk)


def traefik(workdir, target):
    port = free_port()
    static = {
        "entryPoints": {"https": {"address": f"127.0.0.1:{port}", "http": {"tls": {}}}},
        "providers": {"file": {"filename": str(workdir / "rules.yaml")}},
        "log": {"level": "ERROR", "noColor": True},
    }
    default = {"certFile": str(workdir / "cert.pem"), "keyFile": str(workdir / "key.pem")}
    rules = {
        "http": {
            "routers": {"all": {"rule": "PathPrefix(`/`)", "service": "lab"}},
            "services": {"lab": {"loadBalancer": {"servers": [{"url": target}]}}},
        },
        "tls": {"stores": {"default": {"defaultCertificate": default}}},
    }
    (workdir / "traefik.yaml").write_text(json.dumps(static))
    (workdir / "rules.yaml").write_text(json.dumps(rules))
    return started(
        "traefik",
        workdir,
        [TRAEFIK, "--configfile", str(workdir / "traefik.yaml")],
        f"https://127.0.0.1:{port}",
    )


def chp(workdir, target):
    port = free_port()
    argv = ["configurable-http-proxy", "--ip", "127.0.0.1", "--port", str(port)]
    argv += ["--api-ip", "127.0.0.1", "--api-port", str(free_port())]
    argv += ["--ssl-cert", str(workdir / "cert.pem"), "--ssl-key", str(workdir / "key.pem")]
    argv += ["--default-target", target, "--log-level", "error"]
    return started("configurable-http-proxy", workdir, argv, f"https://127.0.0.1:{port}")


def started(name, workdir, argv, url):
    process = LoggedProcess(name, workdir / f"{name}.log")
    process.verify = str(workdir / "ca.pem")
    process.url = url
    return process.launch(argv, ready_url=url + "/api/status", timeout=30)
