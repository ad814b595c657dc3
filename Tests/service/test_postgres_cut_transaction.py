"""A consent change cut off by the network in the middle of its transaction (a TCP proxy silences the connection once
the audit record's INSERT has reached PostgreSQL, and never tells PostgreSQL when the client closes it: packets dropped,
no FIN, no reset). PostgreSQL keeps that transaction open, waiting for its next statement, with the consent gate's and
the audit log's locks held, so every other server's consent changes wait. With --database-transaction-idle-timeout
(set in each of the service's transactions) PostgreSQL ends the cut-off session when the bound passes: the transaction
is rolled back, its locks are released, and another server's consent change goes through. (Before, and with 0: the
cut-off backend stayed idle in its transaction with the locks held until PostgreSQL's TCP keepalive gave up, about
2 h 11 min with Linux's defaults; the other server's consent change waited all that time.)"""
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
