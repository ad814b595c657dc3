"""PostgreSQL stopped under a running `strata serve`: every request that needs the database is answered 503 (first
`timeout` after --request-timeout while postgres-nio's pool retries, then `store_unavailable` at once when the pool
gives up, about a minute later), never a 500 and never a hang; assignments keep answering from memory; /readyz says
unavailable; once PostgreSQL is back, requests succeed again. (Before: POST /v1/consent and /v1/erasure answered 500
`internal` once the pool gave up.)"""
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import requests

from conftest import Server
from test_contract import postgres_binaries


class Cluster:
    """A throwaway trust-authentication cluster that can be stopped and started again on the same port."""

    def __init__(self):
        self.binaries = postgres_binaries()
        self.directory = pathlib.Path(tempfile.mkdtemp(prefix="strata-pg-gone-"))
        self.data = self.directory / "data"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.directory, "postgres", "postgres")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        subprocess.run(self.as_user + [str(self.binaries / "initdb"), "-D", str(self.data), "-A", "trust", "-U",
                                       "postgres"], check=True, capture_output=True)

    def pg_ctl(self, *args):
        subprocess.run(self.as_user + [str(self.binaries / "pg_ctl"), "-D", str(self.data), *args], check=True,
                       capture_output=True)

    def start(self):
        self.pg_ctl("-o", f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1", "-w", "-l",
                    str(self.directory / "log"), "start")

    def stop(self):
        self.pg_ctl("-m", "immediate", "stop")

    def remove(self):
        subprocess.run(self.as_user + [str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                                       "stop"], capture_output=True)
        shutil.rmtree(self.directory, ignore_errors=True)


def test_postgresql_going_away_is_503_and_coming_back_serves_again(workspace):
    experiments, keys, made = workspace
    cluster = Cluster()
    cluster.start()
    server = None
    try:
        server = Server(experiments, keys, database=f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres",
                        extra=["--audit-key", str(experiments.parent / "audit.key"), "--request-timeout", "2"])
        admin = {"X-API-Key": made["admin"]}

        def consent(unit):
            return requests.post(server.url + "/v1/consent", json={"unit": unit, "granted": False}, headers=admin,
                                 timeout=30)

        assert consent("u-before").status_code == 200
        cluster.stop()
        codes = []
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline and "store_unavailable" not in codes:
            for path, body in [("/v1/consent", {"unit": "u-gone", "granted": False}),
                               ("/v1/erasure", {"unit": "u-gone"})]:
                response = requests.post(server.url + path, json=body, headers=admin, timeout=30)
                assert response.status_code == 503, (path, response.status_code, response.text)
                assert response.headers.get("Retry-After") == "1"
                codes.append(response.json()["error"]["code"])
            time.sleep(1)
        assert set(codes) <= {"timeout", "store_unavailable"} and "store_unavailable" in codes, codes
        ready = requests.get(server.url + "/readyz", timeout=30)
        assert ready.status_code == 503, ready.text
        assigned = requests.post(server.url + "/ofrep/v1/evaluate/flags/banner-on",
                                 json={"context": {"targetingKey": "u-1"}}, headers={"X-API-Key": made["server"]},
                                 timeout=30)
        assert assigned.status_code == 200, assigned.text

        cluster.start()
        deadline = time.monotonic() + 150
        while (status := consent("u-after").status_code) != 200 and time.monotonic() < deadline:
            assert status == 503
            time.sleep(1)
        assert status == 200
        # SIGTERM still stops it (exit 0); the wait is longer than conftest's 30 s: under heavy load (another
        # engineer's test suite) one run took over 30 s here, not yet explained
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=120) == 0, server.logs()
        server = None
    finally:
        if server is not None:
            server.process.kill()
        cluster.remove()
