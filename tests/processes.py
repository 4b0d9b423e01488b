"""Processes the tests start (hub, registry, OpenID Connect provider): logged to a file,
ready when a URL answers, stopped with SIGTERM and then SIGKILL."""

import signal
import subprocess
from pathlib import Path

import requests

from .waiting import wait_for


def fault_report(text):
    """The report Python's faulthandler wrote into a process's log when it crashed (the
    fatal signal and every thread's stack), or ''."""
    at = text.find("Fatal Python error")
    return text[at:] if at >= 0 else ""


def terminate(process, grace):
    """SIGTERM ``process``; kill it if it has not exited after ``grace`` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


class LoggedProcess:
    # what requests checks the process's HTTPS certificate against (a CA file, or True)
    verify = True

    def __init__(self, name, log_path, grace=10):
        self.name = name
        self.log_path = Path(log_path)
        self.grace = grace
        self.process = None

    def launch(self, argv, ready_url=None, timeout=30, **popen_kwargs):
        """Start ``argv`` with output to the log; wait until ``ready_url`` answers 200."""
        self._log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            argv, stdout=self._log, stderr=subprocess.STDOUT, **popen_kwargs
        )
        if ready_url:
            wait_for(lambda: self._answers(ready_url), timeout, what=f"{self.name} answering")
        return self

    def _answers(self, url):
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log()}")
        return requests.get(url, timeout=2, verify=self.verify).status_code == 200

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self):
        if self.process:
            terminate(self.process, self.grace)
            self._log.close()
