"""A real `strata serve` on a loopback port, started and stopped (SIGTERM) by each test that asks for it."""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import time

import pytest
import requests

ROOT = pathlib.Path(__file__).resolve().parents[2]
STRATA = os.environ.get("STRATA_BIN", str(ROOT / ".build" / "debug" / "strata"))
FIXTURES = ROOT / "Tests" / "StrataServerTests" / "Fixtures" / "experiments"


def strata(*args, check=True):
    result = subprocess.run([STRATA, *args], capture_output=True, text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"strata {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


class Server:
    """A running `strata serve`; `stop()` sends SIGTERM and returns the exit status."""

    def __init__(self, experiments, keys=None, database=None, extra=(), reload_interval="0.1", log_name="serve.log"):
        self.experiments = pathlib.Path(experiments)
        args = [STRATA, "serve", "--experiments", str(experiments), "--port", "0", "--reload-interval", reload_interval]
        args += ["--database", database or f"sqlite:{self.experiments.parent / 'strata.db'}"]
        if keys:
            args += ["--keys", str(keys)]
        args += list(extra)
        self.log = open(self.experiments.parent / log_name, "w+")
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.log, text=True)
        self.port = None
        deadline = time.time() + 60
        while time.time() < deadline and self.port is None:
            if self.process.poll() is not None:
                raise AssertionError(f"strata serve exited {self.process.returncode}: {self.logs()}")
            for line in self.logs().split("\n")[:-1]:  # complete lines only
                try:
                    record = json.loads(line)
                except ValueError:
                    raise AssertionError(f"a log line is not JSON: {line!r}")
                if record.get("message") == "listening":
                    self.port = int(record["port"])
            time.sleep(0.05)
        assert self.port, f"strata serve did not start: {self.logs()}"
        self.url = f"http://127.0.0.1:{self.port}"
        while requests.get(self.url + "/readyz", timeout=5).status_code != 200:
            time.sleep(0.05)

    def logs(self):
        self.log.flush()
        return pathlib.Path(self.log.name).read_text()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


@pytest.fixture
def workspace(tmp_path):
    experiments = tmp_path / "experiments"
    shutil.copytree(FIXTURES, experiments)
    keys = tmp_path / "keys.jsonl"
    made = {}
    for role in ["client", "server", "viewer", "admin"]:
        out = strata("keys", "new", "--role", role, "--name", f"test-{role}", "--keys", str(keys)).stdout
        made[role] = out.strip().splitlines()[-1]
    return experiments, keys, made


@pytest.fixture
def server(workspace):
    experiments, keys, made = workspace
    running = Server(experiments, keys)
    running.keys = made
    yield running
    assert running.stop() == 0, running.logs()
