"""A network cut between `strata serve` and PostgreSQL whose connections never come back (a TCP proxy that stops
forwarding and never closes them: nothing answers and nothing resets, as when a firewall drops a flow's packets for
good). The service's background polls (consent changes recorded by other servers, keys-file and definition reloads,
live totals) are not requests, so the request watchdog does not cover them: each of their PostgreSQL calls ends after
--request-timeout (its connection closed), is logged, and the next poll tries again on a new connection (a copy of the
keys into the database cut off this way is made again). (Before: a poll
handed a cut connection waited for good, so after the network came back a consent withdrawal recorded by another server
was never applied here, the unit kept being assigned, and a key removed from the keys file kept working: the reloader
was stuck in its write of the previous keys file.)"""
import json
import socket
import threading
import time

import requests

from conftest import Server, strata
from test_postgres_gone import Cluster
from test_postgres_silent import psql

REQUEST_TIMEOUT = 3
# Each cut connection the pool still holds costs a poll REQUEST_TIMEOUT; a new connection made during the cut fails
# after postgres-nio's 10 s connect timeout; the rest is room for a loaded 2-core machine running a debug build
CATCH_UP = 40


# PostgreSQL's Sync message (type S, length 4): the end of each statement the client sends (extended query protocol)
SYNC = b"S\x00\x00\x00\x04"


class CutProxy:
    """Forwards 127.0.0.1:port to PostgreSQL. `cut()` silences every connection open or opened until `restore()` for
    good: what either side sends is read and dropped, and neither side is closed by the proxy; connections opened after
    `restore()` are forwarded again. A side closing its socket closes the other side, except after `cut_after()`.

    `cut_after(marker)` silences only the connection whose client sends `marker` next (a statement's text), once that
    statement has reached PostgreSQL in full (up to its Sync), and for good: PostgreSQL runs the statement, its answer is
    dropped, and when the client closes the connection PostgreSQL is not told, as after a real cut that drops packets.
    `cut_done` is set when that happened."""

    def __init__(self, target_port):
        self.target_port = target_port
        self.lock = threading.Lock()
        self.cutting = False
        self.flows = []
        self.marker = None
        self.cut_done = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return  # closed
            with self.lock:
                flow = {"silent": self.cutting, "sockets": [client]}
                if not flow["silent"]:
                    flow["sockets"].append(socket.create_connection(("127.0.0.1", self.target_port)))
                self.flows.append(flow)
            threading.Thread(target=self._pump, args=(flow, 0), daemon=True).start()
            if len(flow["sockets"]) == 2:
                threading.Thread(target=self._pump, args=(flow, 1), daemon=True).start()

    def _pump(self, flow, side):
        source = flow["sockets"][side]
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                # A client's close never reaches PostgreSQL through a connection cut by `cut_after()`
                for end in flow["sockets"] if not (flow.get("held") and side == 0) else [source]:
                    end.close()
                return
            if flow["silent"]:
                continue
            cut = False
            if side == 0:
                with self.lock:
                    if self.marker is not None and self.marker in data:
                        self.marker = None
                        flow["cut_at_sync"] = True
                # Silent before this last piece goes, so that no answer to it gets through
                cut = flow.get("cut_at_sync", False) and data.endswith(SYNC)
                if cut:
                    flow["silent"] = flow["held"] = True
            try:
                flow["sockets"][1 - side].sendall(data)
            except OSError:
                pass
            if cut:
                self.cut_done.set()

    def cut_after(self, marker):
        with self.lock:
            self.marker = marker

    def cut(self):
        with self.lock:
            self.cutting = True
            for flow in self.flows:
                flow["silent"] = True

    def restore(self):
        with self.lock:
            self.cutting = False

    def close(self):
        self.listener.close()
        with self.lock:
            for flow in self.flows:
                for end in flow["sockets"]:
                    end.close()


def withdrawn(server, key, unit):
    """True when `server` no longer assigns `unit` (reason no_consent)."""
    answer = requests.post(server.url + "/v1/assign", json={"units": [{"unit": unit}], "experiment": "banner-on"},
                           headers={"X-API-Key": key}, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.json()["assignments"][0]["reason"] == "no_consent"


def catalog_status(server, key):
    return requests.get(server.url + "/v1/experiments", headers={"X-API-Key": key}, timeout=60).status_code


def test_polls_catch_up_after_a_cut_whose_connections_never_come_back(workspace, tmp_path):
    experiments, keys, made = workspace
    cluster = Cluster()
    cluster.start()
    proxy = CutProxy(cluster.port)
    keys_a = tmp_path / "keys-a.jsonl"
    keys_a.write_bytes(keys.read_bytes())
    audit_key = ["--audit-key", str(tmp_path / "audit.key")]
    a = b = None
    try:
        # A reaches PostgreSQL through the proxy, B directly; both share the database and the audit key
        a = Server(experiments, keys_a, database=f"postgresql://postgres@127.0.0.1:{proxy.port}/postgres",
                   extra=audit_key + ["--request-timeout", str(REQUEST_TIMEOUT)], log_name="serve-a.log")
        b = Server(experiments, keys, database=f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres",
                   extra=audit_key, log_name="serve-b.log")
        admin, writer, viewer = made["admin"], made["server"], made["viewer"]
        # Consent changes in parallel, so that A's pool holds several idle connections when the cut comes
        answers = []
        senders = [threading.Thread(target=lambda unit=f"u-before-{i}": answers.append(requests.post(
            a.url + "/v1/consent", json={"unit": unit, "granted": False}, headers={"X-API-Key": admin},
            timeout=60).status_code)) for i in range(8)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        assert answers == [200] * 8, answers
        assert not withdrawn(a, writer, "u-cut") and catalog_status(a, viewer) == 200

        proxy.cut()
        # A new key: A swaps its keys at once and then writes them to the database, on a cut connection
        strata("keys", "new", "--role", "viewer", "--name", "test-added", "--keys", str(keys_a))
        time.sleep(2)
        proxy.restore()
        back = time.monotonic()

        # The copy of the keys cut off during the cut is made again once the network is back, with no change to the
        # file (before: only at the next change or start)
        deadline = time.monotonic() + CATCH_UP
        while "test-added" not in psql(cluster, "SELECT name FROM api_keys"):
            assert time.monotonic() < deadline, a.logs()
            time.sleep(0.2)
        print("keys copied into the database after the network came back (s):", time.monotonic() - back)

        # Another server records a withdrawal, and the viewer key is removed from A's keys file
        assert requests.post(b.url + "/v1/consent", json={"unit": "u-cut", "granted": False},
                             headers={"X-API-Key": admin}, timeout=60).status_code == 200
        lines = keys_a.read_text().splitlines()
        keys_a.write_text("".join(line + "\n" for line in lines if json.loads(line)["name"] != "test-viewer"))
        restored = time.monotonic()
        applied = {}
        while len(applied) < 2 and time.monotonic() < restored + CATCH_UP:
            if "consent" not in applied and withdrawn(a, writer, "u-cut"):
                applied["consent"] = time.monotonic() - restored
            if "keys" not in applied and catalog_status(a, viewer) == 401:
                applied["keys"] = time.monotonic() - restored
            time.sleep(0.2)
        assert applied.keys() == {"consent", "keys"}, (applied, a.logs())
        print("applied after the withdrawal and the keys file's change (s):", applied)
        assert f"did not answer within {REQUEST_TIMEOUT} s; the connection was closed" in a.logs()

        # A's requests go through the proxy again (a request handed a cut connection gets 503 and closes it)
        deadline = time.monotonic() + CATCH_UP
        while (answer := requests.post(a.url + "/v1/consent", json={"unit": "u-after", "granted": False},
                                       headers={"X-API-Key": admin}, timeout=60)).status_code != 200:
            assert answer.status_code == 503 and time.monotonic() < deadline, answer.text
            time.sleep(0.2)
        # and B, polling on its own connections, applies A's change
        deadline = time.monotonic() + CATCH_UP
        while not withdrawn(b, writer, "u-after"):
            assert time.monotonic() < deadline, b.logs()
            time.sleep(0.2)
        for server in (a, b):
            assert server.stop() == 0, server.logs()
        a = b = None
    finally:
        for server in (a, b):
            if server is not None:
                server.process.kill()
        proxy.close()
        cluster.remove()
