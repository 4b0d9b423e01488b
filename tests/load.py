"""``./deploy/load``: users with running servers working through the proxy for a fixed
time, bounded in time and in requests; prints a table, the last line machine-readable.

Each user writes files, reads them back and runs code in a kernel, all through the hub's
proxy on 127.0.0.1. At the end every file written must read back intact.
"""

import argparse
import hashlib
import secrets
import statistics
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from . import kernel
from .bench.figures import now
from .bench.run import BenchRun

MAX_REQUESTS_PER_USER = 2000


def resident_mb(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Worker:
    """One user's session: files and a kernel, each request timed."""

    def __init__(self, hub, user, token):
        self.base = f"{hub.url}/user/{user}/"
        self.headers = {"Authorization": f"token {token}"}
        self.latencies, self.errors, self.written = [], [], {}

    def timed(self, what, call, *args):
        started = now()
        try:
            call(*args)
        except Exception as e:
            self.errors.append(f"{what}: {e}"[:200])
        else:
            self.latencies.append(now() - started)

    def put(self, path, text):
        body = {"type": "file", "format": "text", "content": text}
        r = requests.put(
            self.base + f"api/contents/{path}", json=body, headers=self.headers, timeout=30
        )
        r.raise_for_status()
        self.written[path] = hashlib.sha256(text.encode()).hexdigest()

    def read(self, path):
        r = requests.get(self.base + f"api/contents/{path}", headers=self.headers, timeout=30)
        r.raise_for_status()
        return r.json()["content"]

    def check(self, path):
        if hashlib.sha256(self.read(path).encode()).hexdigest() != self.written[path]:
            raise AssertionError(f"{path} changed")

    def run(self, deadline):
        r = requests.post(
            self.base + "api/sessions",
            json={
                "path": "code/load.ipynb",
                "type": "notebook",
                "name": "",
                "kernel": {"name": "python3"},
            },
            headers=self.headers,
            timeout=60,
        )
        r.raise_for_status()
        ws = kernel.connect(self.base, r.json()["kernel"]["id"], self.headers, 60)
        try:
            for i in range(MAX_REQUESTS_PER_USER // 3):
                if now() > deadline:
                    break
                path = f"code/load-{i % 10}.txt"
                text = secrets.token_urlsafe(3000)
                self.timed("write", self.put, path, text)
                self.timed("read", self.check, path)
                self.timed("kernel", self.compute, ws)
        finally:
            ws.close()

    @staticmethod
    def compute(ws):
        got = kernel.execute(ws, "print(6 * 7)")
        if got != "42\n":
            raise AssertionError(f"the kernel printed {got!r}")

    def intact(self):
        return sum(1 for path in self.written if _ok(self.check, path))


def _ok(call, *args):
    try:
        call(*args)
    except Exception:
        return False
    return True


def main(argv=None):
    p = argparse.ArgumentParser(prog="deploy/load", description=__doc__.split("\n\n")[0])
    p.add_argument("--image", required=True)
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--seconds", type=int, default=60)
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kth-load-") as workdir:
        run = BenchRun(args.image, 1, workdir)
        hub = run.hub()
        try:
            report(run, hub, args.users, args.seconds)
        finally:
            run.finish(hub)


def report(run, hub, users, seconds):
    tokens = {f"load{i}": hub.create_user(f"load{i}") for i in range(users)}
    with ThreadPoolExecutor(5) as pool:
        list(pool.map(lambda u: run.hub_spawn(hub, u), tokens))
    proxy_pid = int(Path(hub.workdir, "data", "jupyterhub-proxy.pid").read_text())
    hub_before, proxy_before = resident_mb(hub.process.pid), resident_mb(proxy_pid)
    workers = [Worker(hub, user, token) for user, token in tokens.items()]
    deadline = now() + seconds
    threads = [threading.Thread(target=w.run, args=(deadline,)) for w in workers]
    started = now()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = now() - started
    hub_after, proxy_after = resident_mb(hub.process.pid), resident_mb(proxy_pid)
    latencies = sorted(x for w in workers for x in w.latencies)
    errors = [e for w in workers for e in w.errors]
    total = len(latencies) + len(errors)
    files = sum(len(w.written) for w in workers)
    intact = sum(w.intact() for w in workers)
    p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
    p95 = latencies[int(0.95 * (len(latencies) - 1))] * 1000 if latencies else float("nan")
    rows = [
        ("users with running servers, working for", f"{users}, {elapsed:.0f} s"),
        ("requests (contents writes, reads, kernel runs)", f"{total} ({total / elapsed:.0f}/s)"),
        ("errors", f"{len(errors)} ({len(errors) / max(total, 1):.2%})"),
        ("latency p50 / p95", f"{p50:.0f} ms / {p95:.0f} ms"),
        ("hub memory before / after", f"{hub_before:.0f} MB / {hub_after:.0f} MB"),
        ("proxy memory before / after", f"{proxy_before:.0f} MB / {proxy_after:.0f} MB"),
        ("files written, intact after", f"{files}, {intact}"),
    ]
    print("| measurement | figure |\n| --- | --- |")
    for name, figure in rows:
        print(f"| {name} | {figure} |")
    for error in errors[:5]:
        print(f"error: {error}")
    rate = len(errors) / max(total, 1)
    print(
        f"RESULT requests={total} errors={len(errors)} error_rate={rate:.4f} "
        f"p50_ms={p50:.1f} p95_ms={p95:.1f} hub_mb_before={hub_before:.0f} "
        f"hub_mb_after={hub_after:.0f} proxy_mb_before={proxy_before:.0f} "
        f"proxy_mb_after={proxy_after:.0f} files={files} intact={intact}"
    )


if __name__ == "__main__":
    main()
