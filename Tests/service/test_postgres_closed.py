"""PostgreSQL closes one of the service's connections between two statements of a call (here an administrator's
pg_terminate_backend; the server's idle-in-transaction limit and a restart do the same): the request is answered 503
`store_unavailable` at once, the next request succeeds on a new connection, and nothing acknowledged is lost.

Before, postgres-nio wrote the call's next statement to the closed connection, whose failure it never reports: the
request waited for its whole --request-timeout (60 s here) and got 503 `timeout`.

The call's first statement is held on the consent gate (an advisory lock this test takes) until the server is stopped
(SIGSTOP); then the lock is released, the backend, idle in its transaction with the statement's answer sent, is
terminated, and the server resumed: the answer and the close wait in its socket, and the close is read before the next
statement is written (the order the reviewer of G5 saw for `analyze --database`)."""
import concurrent.futures
import signal
import subprocess
import time

import pytest
import requests

from conftest import strata
from test_contract import postgres, postgres_binaries, postgres_server  # noqa: F401 (fixtures)
from test_postgres_silent import exposures

REQUEST_TIMEOUT = 60
# The answer must come well before the request timeout (it came in under 0.1 s; loaded machine, debug build)
PROMPT = 10
# PostgresStore.consentGate: ingestion takes it shared, a consent change exclusively
CONSENT_GATE = 0x5354_5241_4347


def wait_for(psql, sql, seconds=60):
    """Polls `sql` until its output is not empty; the output."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if value := psql(sql):
            return value
        time.sleep(0.05)
    raise AssertionError(f"waited {seconds} s for: {sql}")


@pytest.mark.parametrize("kind", ["exposures", "consent"])
def test_a_connection_closed_between_two_statements_is_503_at_once(workspace, postgres, kind):  # noqa: F811
    experiments, _, made = workspace
    port, binaries = postgres
    server, psql, url = postgres_server(workspace, postgres, extra=["--request-timeout", str(REQUEST_TIMEOUT)])
    writer, admin = made["server"], made["admin"]
    acknowledged_ids, audit_sequences = [], []

    def request(name):
        """One write of this test's kind (a batch of three exposures, or a consent withdrawal); the response."""
        if kind == "exposures":
            batch = exposures(server, writer, name, 3)
            response = requests.post(server.url + "/v1/exposures", json=batch, headers={"X-API-Key": writer},
                                     timeout=REQUEST_TIMEOUT + 30)
            if response.status_code == 200:
                acknowledged_ids.extend(item["id"] for item in batch["exposures"])
        else:
            response = requests.post(server.url + "/v1/consent", json={"unit": name, "granted": False},
                                     headers={"X-API-Key": admin}, timeout=REQUEST_TIMEOUT + 30)
            if response.status_code == 200:
                audit_sequences.append(response.json()["audit"]["sequence"])
        return response

    locker = subprocess.Popen(
        [str(binaries / "psql"), "-X", "-q", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
    pool = concurrent.futures.ThreadPoolExecutor(1)
    try:
        assert request("before").status_code == 200
        locker.stdin.write(f"SELECT pg_advisory_lock({CONSENT_GATE});\n")
        locker.stdin.flush()
        wait_for(psql, f"SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = {CONSENT_GATE & 0xFFFFFFFF} "
                       "AND granted")
        held = pool.submit(request, "held")
        pid = wait_for(psql, "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                             "AND query LIKE '%pg_advisory_xact_lock%'")
        server.process.send_signal(signal.SIGSTOP)
        try:
            locker.stdin.write(f"SELECT pg_advisory_unlock({CONSENT_GATE});\n")
            locker.stdin.flush()
            wait_for(psql, f"SELECT 1 FROM pg_stat_activity WHERE pid = {pid} AND state = 'idle in transaction'")
            assert psql(f"SELECT pg_terminate_backend({pid})") == "t"
            wait_for(psql, f"SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = {pid})")
        finally:
            server.process.send_signal(signal.SIGCONT)
        resumed = time.monotonic()
        response = held.result(timeout=REQUEST_TIMEOUT + 30)
        took = time.monotonic() - resumed
        print(f"{kind}: answered {response.status_code} {took:.2f} s after the resume")
        assert response.status_code == 503, response.text
        assert took < PROMPT, (f"answered {took:.1f} s after the close (--request-timeout {REQUEST_TIMEOUT})",
                               response.text)
        error = response.json()["error"]
        assert error["code"] == "store_unavailable", response.text
        assert "may or may not" in error["message"], response.text
        assert response.headers.get("Retry-After") == "1", response.headers
        # The close read before the next statement was written (the race), or, as before, while it was in flight
        assert ("the connection was closed before the statement's answer began" in server.logs()
                or "terminating connection due to administrator command" in server.logs()), server.logs()

        # The next request succeeds (a new connection), and the one cut off, repeated, too
        assert request("after").status_code == 200, server.logs()
        assert request("held").status_code == 200, server.logs()
        if kind == "exposures":
            stored = set(psql("SELECT id FROM exposure_ids").split())
            assert set(acknowledged_ids) <= stored, sorted(set(acknowledged_ids) - stored)
            assert len(acknowledged_ids) == 9
        else:
            stored = set(map(int, psql("SELECT sequence FROM audit_log").split()))
            assert set(audit_sequences) <= stored, (audit_sequences, stored)
            assert len(audit_sequences) == 3
            # The cut-off change was rolled back whole: the chain verifies
            strata("audit", "verify", "--database", url)
        assert server.stop() == 0, server.logs()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        locker.stdin.close()
        locker.wait(timeout=30)
        if server.process.poll() is None:
            server.process.kill()
