"""A consent change cut off by the network in the middle of its transaction (a TCP proxy silences the connection once
the audit record's INSERT has reached PostgreSQL, and never tells PostgreSQL when the client closes it: packets dropped,
no FIN, no reset). PostgreSQL keeps that transaction open, waiting for its next statement, with the consent gate's and
the audit log's locks held, so every other server's consent changes wait. With --database-transaction-idle-timeout
(set in each of the service's transactions) PostgreSQL ends the cut-off session when the bound passes: the transaction
is rolled back, its locks are released, and another server's consent change goes through. (Before, and with 0: the
cut-off backend stayed idle in its transaction with the locks held until PostgreSQL's TCP keepalive gave up, about
2 h 11 min with Linux's defaults; the other server's consent change waited all that time.)

A cut between a transaction's BEGIN and its first statement (which carries the per-transaction setting) is bounded by
the same setting sent as a start-up parameter, the session's default. (Before: the backend stayed idle in its
transaction, holding a connection slot, until the keepalive gave up.) A pooler that refuses that start-up parameter
(PgBouncer, unless told to pass it) gets a connection without it and a warning, as before this change."""
import socket
import struct
import threading
import time

import pytest
import requests

from conftest import Server, strata
from test_postgres_cut import CutProxy
from test_postgres_gone import Cluster
from test_postgres_silent import psql

# The bound under test (seconds), small so the test stays fast
IDLE_TIMEOUT = 2
# Room for a loaded 2-core machine running a debug build, on top of the bound
SLACK = 8
# How long, with no bound, the other server's consent change must still be waiting (three times the bound)
STILL_BLOCKED = 3 * IDLE_TIMEOUT


def cut_off_backend(cluster):
    """(pid, state, advisory locks held) of the backend whose last statement was the audit record's INSERT, or None."""
    rows = psql(cluster, "SELECT a.pid || ':' || replace(a.state, ' ', '_') || ':' || "
                         "(SELECT count(*) FROM pg_locks l WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted) "
                         "FROM pg_stat_activity a WHERE a.query LIKE 'INSERT INTO audit_log%'")
    if not rows:
        return None
    assert len(rows) == 1, rows
    pid, state, locks = rows[0].split(":")
    return int(pid), state, int(locks)


@pytest.mark.parametrize("idle_timeout", [0, IDLE_TIMEOUT])
def test_a_consent_change_cut_off_mid_transaction_stops_holding_the_audit_lock(workspace, tmp_path, idle_timeout):
    experiments, keys, made = workspace
    admin = made["admin"]
    cluster = Cluster()
    cluster.start()
    proxy = CutProxy(cluster.port)
    audit_key = ["--audit-key", str(tmp_path / "audit.key")]
    a = b = None
    try:
        # A reaches PostgreSQL through the proxy (no TLS, so the proxy can read the statements), B directly
        a = Server(experiments, keys,
                   database=f"postgresql://postgres@127.0.0.1:{proxy.port}/postgres?sslmode=disable",
                   extra=audit_key + ["--request-timeout", "3", "--database-transaction-idle-timeout",
                                      str(idle_timeout)], log_name="serve-a.log")
        b = Server(experiments, keys, database=f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres",
                   extra=audit_key, log_name="serve-b.log")
        assert requests.post(a.url + "/v1/consent", json={"unit": "u-first", "granted": False},
                             headers={"X-API-Key": admin}, timeout=60).status_code == 200

        # A's next consent change is cut off once its audit record is written, inside its transaction
        proxy.cut_after(b"INSERT INTO audit_log")
        answers = []
        cut_off = threading.Thread(target=lambda: answers.append(requests.post(
            a.url + "/v1/consent", json={"unit": "u-cut", "granted": False}, headers={"X-API-Key": admin},
            timeout=60)))
        cut_off.start()
        assert proxy.cut_done.wait(60), a.logs()
        cut_at = time.monotonic()
        # PostgreSQL ran the INSERT and waits for the next statement, holding the consent gate and the audit lock
        deadline = time.monotonic() + 30
        while (backend := cut_off_backend(cluster)) is None or backend[1] != "idle_in_transaction":
            assert time.monotonic() < deadline, backend
            time.sleep(0.05)
        pid, _, locks = backend
        assert locks == 2, backend

        # B records a consent change for another unit: it needs the same locks
        def consent_b(timeout):
            return requests.post(b.url + "/v1/consent", json={"unit": "u-other", "granted": False},
                                 headers={"X-API-Key": admin}, timeout=timeout)

        if idle_timeout == 0:
            # No bound: B waits, and the cut-off backend still holds the locks, also after A answered its client (at
            # --request-timeout) and closed the connection (PostgreSQL is not told)
            with pytest.raises(requests.exceptions.ReadTimeout):
                consent_b(STILL_BLOCKED)
            assert time.monotonic() - cut_at >= STILL_BLOCKED
            cut_off.join(60)
            assert answers and answers[0].status_code == 503, answers and answers[0].text
            assert cut_off_backend(cluster) == (pid, "idle_in_transaction", 2)
            psql(cluster, f"SELECT pg_terminate_backend({pid})")  # what the keepalive would do hours later
            return

        answer = consent_b(60)
        took = time.monotonic() - cut_at
        print(f"B's consent change recorded {took:.1f} s after the cut")
        assert answer.status_code == 200, answer.text
        assert IDLE_TIMEOUT <= took < IDLE_TIMEOUT + SLACK, took
        cut_off.join(60)
        assert answers and answers[0].status_code == 503, answers and answers[0].text
        # PostgreSQL ended the cut-off session (rolled back, its locks released), for the reason set
        assert cut_off_backend(cluster) is None
        assert psql(cluster, f"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}") == ["0"]
        assert psql(cluster, f"SELECT count(*) FROM pg_locks WHERE pid = {pid}") == ["0"]
        assert "idle-in-transaction timeout" in (cluster.directory / "log").read_text()
        # The cut-off change was rolled back whole: the chain holds A's first record and B's, and verifies
        assert psql(cluster, "SELECT count(*) FROM audit_log") == ["2"]
        strata("audit", "verify", "--database", f"postgresql://postgres@127.0.0.1:{cluster.port}/postgres")
        for server in (a, b):
            assert server.stop() == 0, server.logs()
        a = b = None
    finally:
        for server in (a, b):
            if server is not None:
                server.process.kill()
        proxy.close()
        cluster.remove()


def idle_after_begin(cluster):
    """Pids of backends idle in a transaction whose only statement was BEGIN, for more than half a second (a
    transaction that is not cut sends its next statement within milliseconds)."""
    return [int(pid) for pid in psql(cluster, "SELECT pid FROM pg_stat_activity WHERE query = 'BEGIN' AND "
                                              "state = 'idle in transaction' AND "
                                              "state_change < now() - interval '0.5 seconds'")]


@pytest.mark.parametrize("idle_timeout", [0, IDLE_TIMEOUT])
def test_a_transaction_cut_off_right_after_its_begin_is_ended(workspace, tmp_path, idle_timeout):
    experiments, keys, made = workspace
    admin = made["admin"]
    cluster = Cluster()
    cluster.start()
    proxy = CutProxy(cluster.port)
    a = None
    try:
        a = Server(experiments, keys,
                   database=f"postgresql://postgres@127.0.0.1:{proxy.port}/postgres?sslmode=disable",
                   extra=["--audit-key", str(tmp_path / "audit.key"), "--request-timeout", "3",
                          "--database-transaction-idle-timeout", str(idle_timeout)], log_name="serve-a.log")
        # The next plain BEGIN (a Parse message of the unnamed statement) reaches PostgreSQL, then nothing more: its
        # answer is dropped, the transaction's first statement never arrives, and A's close is never seen
        proxy.cut_after(b"\x00BEGIN\x00")
        answers = []
        cut_off = threading.Thread(target=lambda: answers.append(requests.post(
            a.url + "/v1/consent", json={"unit": "u-cut", "granted": False}, headers={"X-API-Key": admin},
            timeout=60)))
        cut_off.start()
        assert proxy.cut_done.wait(60), a.logs()
        cut_at = time.monotonic()
        deadline = time.monotonic() + 30
        while not (pids := idle_after_begin(cluster)):
            assert time.monotonic() < deadline, psql(cluster, "SELECT state || ':' || query FROM pg_stat_activity")
            time.sleep(0.05)
        assert len(pids) == 1, pids
        pid = pids[0]

        if idle_timeout == 0:
            # No bound: the backend stays idle in its transaction (until the keepalive, hours later)
            time.sleep(STILL_BLOCKED)
            assert idle_after_begin(cluster) == [pid]
            psql(cluster, f"SELECT pg_terminate_backend({pid})")
        else:
            while psql(cluster, f"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}") != ["0"]:
                assert time.monotonic() - cut_at < IDLE_TIMEOUT + SLACK, "the backend cut after BEGIN is still there"
                time.sleep(0.05)
            took = time.monotonic() - cut_at
            print(f"the backend cut off after its BEGIN ended {took:.1f} s after the cut")
            assert took >= IDLE_TIMEOUT - 0.6, took  # found at least 0.5 s after it went idle
            assert "idle-in-transaction timeout" in (cluster.directory / "log").read_text()
        cut_off.join(60)
        # The request cut off (or a poll's call, if one took that BEGIN first) was answered or retried, not hung
        assert not cut_off.is_alive()
        assert a.stop() == 0, a.logs()
        a = None
    finally:
        if a is not None:
            a.process.kill()
        proxy.close()
        cluster.remove()


class RefusingPooler:
    """Forwards 127.0.0.1:port to PostgreSQL, but answers a start-up message that carries
    idle_in_transaction_session_timeout as PgBouncer does with a start-up parameter it does not track: FATAL 08P01
    "unsupported startup parameter", and closes. Needs sslmode=disable (the start-up message comes first)."""

    def __init__(self, target_port, full=False):
        self.target_port = target_port
        self.full = full  # refuse every connection as a full server does (not a refusal of the parameter)
        self.refused = 0
        self.sockets = []
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
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    @staticmethod
    def _read(sock, count):
        data = b""
        while len(data) < count:
            part = sock.recv(count - len(data))
            if not part:
                raise OSError("closed")
            data += part
        return data

    def _serve(self, client):
        try:
            length = struct.unpack("!I", self._read(client, 4))[0]
            startup = struct.pack("!I", length) + self._read(client, length - 4)
        except OSError:
            client.close()
            return
        if self.full:
            self.refused += 1
            fields = b"SFATAL\x00VFATAL\x00C53300\x00Msorry, too many clients already\x00\x00"
            client.sendall(b"E" + struct.pack("!I", len(fields) + 4) + fields)
            client.close()
            return
        if b"idle_in_transaction_session_timeout\x00" in startup:
            self.refused += 1
            fields = (b"SFATAL\x00VFATAL\x00C08P01\x00"
                      b"Munsupported startup parameter: idle_in_transaction_session_timeout\x00\x00")
            client.sendall(b"E" + struct.pack("!I", len(fields) + 4) + fields)
            client.close()
            return
        server = socket.create_connection(("127.0.0.1", self.target_port))
        self.sockets += [client, server]
        server.sendall(startup)
        for source, target in ((client, server), (server, client)):
            threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    @staticmethod
    def _pump(source, target):
        while True:
            try:
                data = source.recv(65536)
            except OSError:
                data = b""
            if not data:
                for end in (source, target):
                    end.close()
                return
            try:
                target.sendall(data)
            except OSError:
                pass

    def close(self):
        self.listener.close()
        for end in self.sockets:
            end.close()


def test_a_pooler_that_refuses_the_start_up_parameter_still_gets_connections(workspace, tmp_path):
    experiments, keys, made = workspace
    admin = made["admin"]
    cluster = Cluster()
    cluster.start()
    pooler = RefusingPooler(cluster.port)
    url = f"postgresql://postgres@127.0.0.1:{pooler.port}/postgres?sslmode=disable"
    server = None
    try:
        server = Server(experiments, keys, database=url,
                        extra=["--audit-key", str(tmp_path / "audit.key"), "--database-transaction-idle-timeout",
                               str(IDLE_TIMEOUT)])
        assert pooler.refused >= 1
        assert "refused idle_in_transaction_session_timeout as a start-up parameter" in server.logs()
        answer = requests.post(server.url + "/v1/consent", json={"unit": "u-pooled", "granted": False},
                               headers={"X-API-Key": admin}, timeout=60)
        assert answer.status_code == 200, answer.text
        assert server.stop() == 0, server.logs()
        server = None
        refused = pooler.refused
        # The one-shot commands fall back the same way
        strata("audit", "verify", "--database", url)
        assert pooler.refused == refused + 1
    finally:
        if server is not None:
            server.process.kill()
        pooler.close()
        cluster.remove()


def test_another_refusal_stops_the_start_without_dropping_the_parameter(workspace, tmp_path):
    """Only a refusal that names the parameter makes the server go without it: a server that is full (or starting)
    stops the start with its own message, as before, rather than leaving the BEGIN window open for the process's life."""
    experiments, keys, _ = workspace
    pooler = RefusingPooler(1, full=True)
    try:
        result = strata("serve", "--experiments", str(experiments), "--keys", str(keys), "--port", "0",
                        "--database", f"postgresql://postgres@127.0.0.1:{pooler.port}/postgres?sslmode=disable",
                        "--audit-key", str(tmp_path / "audit.key"), check=False)
        assert result.returncode == 1, result.stderr
        assert "sorry, too many clients already (SQLSTATE 53300)" in result.stderr, result.stderr
        assert "start-up parameter" not in result.stderr
        assert pooler.refused == 1
    finally:
        pooler.close()
