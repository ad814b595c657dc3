"""PostgreSQL stopped under a running `strata serve`: every request that needs the database is answered 503
`store_unavailable` within `--database-timeout` (5 s by default: the wait for a pooled connection), never a 500 and
never a hang; assignments keep answering from memory; /readyz says unavailable; once PostgreSQL is back, requests
succeed again; SIGTERM with requests in flight stops within that wait too. (Before: POST /v1/consent and /v1/erasure
answered 500 `internal` once the pool gave up; for the first minute, while postgres-nio's pool retried, every such
request waited the whole --request-timeout (30 s) for a 503 `timeout`, and SIGTERM waited as long for them.)"""
import http.client
import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
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


# True whether the write failed or only its answer was lost (a connection lost after the COMMIT was sent)
UNCONFIRMED = {
    "/v1/consent": "the database did not confirm the consent change (it may or may not have been recorded); "
                   "repeating the request is safe: it sets the same consent again, with its own audit record",
    "/v1/erasure": "the database did not confirm the erasure (it may have been done in full, in part or not at all); "
                   "repeating the request is safe: it removes whatever is left, with its own audit record",
    "/v1/exposures": "the database did not confirm the batch (it may or may not have been stored); retrying it is "
                     "safe: items already stored count as duplicates",
}


def tcp_queues(port):
    """(send queue, receive queue) in bytes of every established TCP socket with `port` at one end, from the
    kernel's table: a request is in the server once both are 0 on the client's and the server's socket."""
    queues = []
    for table in ["/proc/net/tcp", "/proc/net/tcp6"]:
        try:
            lines = pathlib.Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            ports = {int(fields[1].rsplit(":", 1)[1], 16), int(fields[2].rsplit(":", 1)[1], 16)}
            if fields[3] == "01" and port in ports:  # 01: ESTABLISHED
                queues.append(tuple(int(queue, 16) for queue in fields[4].split(":")))
    return queues


def sigterm_with_consents_in_flight(server, key, granted, wait):
    """Sends two consent requests, sends SIGTERM once both are in the server (sent, and every byte to or from its port
    read), and returns the exit status (None when it had not stopped within `wait` seconds), the seconds from SIGTERM
    to exit, and both answers as (status, body)."""
    answers = []
    sent = threading.Semaphore(0)

    def consent(unit):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=wait)
        connection.request("POST", "/v1/consent", body=json.dumps({"unit": unit, "granted": granted}),
                           headers={"X-API-Key": key, "Content-Type": "application/json"})
        sent.release()
        response = connection.getresponse()
        answers.append((response.status, json.loads(response.read())))

    in_flight = [threading.Thread(target=consent, args=(unit,)) for unit in ["u-1", "u-2"]]
    for thread in in_flight:
        thread.start()
    for _ in in_flight:
        assert sent.acquire(timeout=60)
    deadline = time.monotonic() + 60
    while any(queue != (0, 0) for queue in tcp_queues(server.port)):
        assert time.monotonic() < deadline, tcp_queues(server.port)
        time.sleep(0.01)
    started = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    try:
        status = server.process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        status = None
    stopped_after = time.monotonic() - started
    for thread in in_flight:
        thread.join(timeout=wait)
    return status, stopped_after, answers


def post(server, path, body, key, seconds):
    """POSTs and returns the response and how long it took."""
    started = time.monotonic()
    response = requests.post(server.url + path, json=body, headers={"X-API-Key": key}, timeout=seconds)
    return response, time.monotonic() - started


def test_postgresql_going_away_is_503_at_once_and_coming_back_serves_again(workspace):
    experiments, keys, made = workspace
    cluster = Cluster()
    cluster.start()
    server = None
    try:
        # The default --request-timeout (30 s) and --database-timeout (5 s)
        server = Server(experiments, keys, database=f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres",
                        extra=["--audit-key", str(experiments.parent / "audit.key")])
        admin, writer = made["admin"], made["server"]
        exposure = {"id": "x-gone", "experiment": "banner-on", "unit": "u-gone", "variant": "shown"}
        assert post(server, "/v1/consent", {"unit": "u-before", "granted": False}, admin, 30)[0].status_code == 200
        cluster.stop()
        # The first minute of the outage (postgres-nio's pool retrying) is where requests waited 30 s: each answer
        # must come well within the 30 s of --request-timeout (an upper bound with room for a loaded machine)
        requests_made = 0
        until = time.monotonic() + 20
        while time.monotonic() < until:
            for path, body, key in [("/v1/consent", {"unit": "u-gone", "granted": False}, admin),
                                    ("/v1/erasure", {"unit": "u-gone"}, admin),
                                    ("/v1/exposures", {"exposures": [exposure]}, writer)]:
                response, took = post(server, path, body, key, 60)
                assert response.status_code == 503, (path, response.status_code, response.text)
                assert response.json()["error"]["code"] == "store_unavailable", (path, response.text)
                assert response.headers.get("Retry-After") == "1"
                assert took < 15, (path, took, response.text)
                assert response.json()["error"]["message"] == UNCONFIRMED[path], response.text
                requests_made += 1
            started = time.monotonic()
            results = requests.get(server.url + "/v1/experiments/banner-on/results", headers={"X-API-Key": admin},
                                   timeout=60)
            assert results.status_code == 503 and results.json()["error"]["code"] == "store_unavailable", results.text
            assert time.monotonic() - started < 15
        assert requests_made >= 3
        assert "no connection to PostgreSQL at 127.0.0.1:" in server.logs()
        ready = requests.get(server.url + "/readyz", timeout=30)
        assert ready.status_code == 503, ready.text
        assigned = requests.post(server.url + "/ofrep/v1/evaluate/flags/banner-on",
                                 json={"context": {"targetingKey": "u-1"}}, headers={"X-API-Key": writer},
                                 timeout=30)
        assert assigned.status_code == 200, assigned.text

        cluster.start()
        deadline = time.monotonic() + 150
        while (status := post(server, "/v1/consent", {"unit": "u-after", "granted": False}, admin, 60)[0]
               .status_code) != 200 and time.monotonic() < deadline:
            assert status == 503
            time.sleep(1)
        assert status == 200
        # SIGTERM still stops it (exit 0); the wait is longer than conftest's 30 s: under heavy load (another
        # engineer's test suite) one run took over 30 s here, not reproduced since (a request in flight during the
        # outage made SIGTERM wait for it: test_sigterm_during_an_outage_stops_within_the_connection_wait)
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=120) == 0, server.logs()
        server = None
    finally:
        if server is not None:
            server.process.kill()
        cluster.remove()


def test_sigterm_during_an_outage_stops_within_the_connection_wait(workspace):
    """SIGTERM drains the requests in flight: during an outage they waited the whole --request-timeout (the stop
    took 29 s with the default 30 s, measured on the old binary); now they get their 503 within --database-timeout."""
    experiments, keys, made = workspace
    cluster = Cluster()
    cluster.start()
    server = None
    try:
        server = Server(experiments, keys, database=f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres",
                        extra=["--audit-key", str(experiments.parent / "audit.key")])
        assert post(server, "/v1/consent", {"unit": "u-before", "granted": False}, made["admin"], 30)[0] \
            .status_code == 200
        cluster.stop()
        status, stopped_after, answers = sigterm_with_consents_in_flight(server, made["admin"], granted=False, wait=120)
        assert status == 0, server.logs()
        assert stopped_after < 15, stopped_after
        assert [(status, body["error"]["code"]) for status, body in answers] == [(503, "store_unavailable")] * 2, \
            answers
        server = None
    finally:
        if server is not None:
            server.process.kill()
        cluster.remove()
