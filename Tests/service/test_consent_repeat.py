"""Consent and erasure repeated, of a unit with no data, and racing each other, on SQLite and PostgreSQL (two servers
sharing the database for the race): every request is answered 200 with what the documentation promises (a repeat
leaves the same state, removes nothing twice and counts no erased unit twice, each with its own audit record), each
server ends with the consent state the store holds (the latest audit record of the unit), nothing of an erased unit
stays, and `strata audit verify` finds the chain intact with every acknowledged record in it."""
import concurrent.futures
import hashlib
import hmac
import json
import sqlite3
import subprocess
import time

import pytest
import requests

from conftest import Server, strata
from test_contract import postgres  # noqa: F401 (a fixture)

EXPERIMENT = "banner-on"
NOTHING = {"exposures": 0, "events": 0, "exposure_ids": 0}


class Backend:
    """The database under test and a way to read it while the servers run."""

    def __init__(self, kind, tmp_path, request):
        self.kind = kind
        if kind == "sqlite":
            self.path = tmp_path / "strata.db"
            self.url = f"sqlite:{self.path}"
        else:
            self.port, self.binaries = request.getfixturevalue("postgres")
            self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def rows(self, sql):
        if self.kind == "sqlite":
            with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as db:
                return [tuple(str(int(v)) if isinstance(v, bool) else str(v) for v in row)
                        for row in db.execute(sql)]
        result = subprocess.run([str(self.binaries / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
                                 "postgres", "-At", "-F", "|", "-c", sql], check=True, capture_output=True, text=True)
        return [tuple(line.split("|")) for line in result.stdout.splitlines() if line]


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    return Backend(request.param, tmp_path, request)


def test_repeated_and_racing_consent_and_erasure_keep_the_log_verifiable(workspace, backend, tmp_path):
    experiments, keys, made = workspace
    audit_key = tmp_path / "audit.key"
    extra = ["--audit-key", str(audit_key)]
    servers = [Server(experiments, keys, database=backend.url, extra=extra, log_name="first.log")]
    if backend.kind == "postgresql":
        servers.append(Server(experiments, keys, database=backend.url, extra=extra, log_name="second.log"))
    first, last = servers[0], servers[-1]
    admin, writer = {"X-API-Key": made["admin"]}, {"X-API-Key": made["server"]}
    key = bytes.fromhex(audit_key.read_text().strip())
    acknowledged = []  # audit sequences of every 200 answer

    def unit_hash(unit):
        return hmac.new(key, unit.encode(), hashlib.sha256).hexdigest()

    def post(server, path, body, headers):
        answer = requests.post(server.url + path, json=body, headers=headers, timeout=60)
        assert answer.status_code == 200, (path, body, answer.text)
        result = answer.json()
        for name in ["audit", "consent_audit"]:
            if result.get(name):
                acknowledged.append(result[name]["sequence"])
        return result

    def reason(server, unit):
        answer = requests.post(server.url + "/v1/assign", json={"units": [{"unit": unit}], "experiment": EXPERIMENT},
                               headers=writer, timeout=60)
        assert answer.status_code == 200, answer.text
        return answer.json()["assignments"][0]["reason"]

    def stored(unit):
        return backend.rows(f"SELECT (SELECT count(*) FROM exposures WHERE unit_id = '{unit}'),"
                            f" (SELECT count(*) FROM exposure_ids WHERE unit_id = '{unit}'),"
                            f" (SELECT count(*) FROM events WHERE unit_id = '{unit}')")[0]

    try:
        units = [f"u-data-{i}" for i in range(10)]
        assigned = requests.post(first.url + "/v1/assign", json={"units": [{"unit": u} for u in units],
                                                                  "experiment": EXPERIMENT},
                                 headers=writer, timeout=60).json()["assignments"]
        variants = {item["unit"]: item["variant"] for item in assigned}
        answer = requests.post(first.url + "/v1/exposures", headers=writer, timeout=60, json={"exposures": [
            {"id": f"{u}-x", "experiment": EXPERIMENT, "unit": u, "variant": variants[u]} for u in units]})
        assert answer.json()["stored"] == len(units), answer.text
        answer = requests.post(first.url + "/v1/events", headers=writer, timeout=60, json={"events": [
            {"id": f"{u}-e", "unit": u, "metric": "renewed", "value": 1} for u in units]})
        assert answer.json()["stored"] == len(units), answer.text

        # The same consent change twice: the same state, two audit records
        for granted in [False, False, True, True]:
            result = post(first, "/v1/consent", {"unit": "u-consent", "granted": granted}, admin)
            assert result["assignable"] is granted and result["granted"] is granted, result
            assert reason(first, "u-consent") == ("assigned" if granted else "no_consent")
        assert acknowledged == sorted(acknowledged) and len(set(acknowledged)) == 4, acknowledged

        # An erasure repeated: the second removes nothing and changes no result
        once = post(first, "/v1/erasure", {"unit": units[0]}, admin)
        assert once["removed"] == {"exposures": 1, "events": 1, "exposure_ids": 1}, once
        assert once["results_changed"] == [{"experiment": EXPERIMENT, "variants": [variants[units[0]]]}], once
        again = post(first, "/v1/erasure", {"unit": units[0]}, admin)
        assert again["removed"] == NOTHING and again["results_changed"] == [] and again["consent_withdrawn"], again
        assert again["events_by_metric"] == {}, again

        # An erasure of a unit never seen: nothing removed, consent withdrawn all the same (twice)
        for _ in range(2):
            none = post(first, "/v1/erasure", {"unit": "u-never-seen"}, admin)
            assert none["removed"] == NOTHING and none["results_changed"] == [] and none["consent_withdrawn"], none
        assert reason(first, "u-never-seen") == "no_consent"

        # A consent grant racing an erasure of the same unit (on PostgreSQL: the grant on the other server)
        racing = units[1:]
        with concurrent.futures.ThreadPoolExecutor(max_workers=2 * len(racing)) as pool:
            futures = []
            for unit in racing:
                futures.append(pool.submit(post, first, "/v1/erasure", {"unit": unit}, admin))
                futures.append(pool.submit(post, last, "/v1/consent", {"unit": unit, "granted": True}, admin))
            results = [future.result() for future in futures]
        erased = [result for result in results if "removed" in result]
        assert all(result["removed"] == {"exposures": 1, "events": 1, "exposure_ids": 1} for result in erased), erased
        for unit in units:
            assert stored(unit) == ("0", "0", "0"), (unit, stored(unit))

        # Each unit's stored consent is its latest audit record's, and every server says the same (after a poll)
        consent = {row[0]: (row[1] in {"1", "t", "true"}, int(row[2]))
                   for row in backend.rows("SELECT unit, granted, audit_sequence FROM consent")}
        latest = {}
        for sequence, action, unit in backend.rows("SELECT sequence, action, unit FROM audit_log ORDER BY sequence"):
            if action.startswith("consent_"):
                latest[unit] = (action == "consent_granted", int(sequence))
        assert consent == latest, (consent, latest)
        time.sleep(1)  # the other server's poll (every 0.1 s)
        for server in servers:
            for unit in racing + ["u-consent", "u-never-seen", units[0]]:
                granted = consent[unit_hash(unit)][0]
                assert reason(server, unit) == ("assigned" if granted else "no_consent"), (server.url, unit, granted)

        # Every erased unit counted once; every acknowledged record in an intact chain
        assert backend.rows("SELECT sum(units) FROM erased_exposures") == [(str(len(units)),)]
        records = 4 + 2 * 2 + 2 * 2 + len(racing) * 3
        assert len(acknowledged) == len(set(acknowledged)) == records, acknowledged
        report = json.loads(strata("audit", "verify", "--json", "--database", backend.url).stdout)
        assert report["intact"] and report["records"] == records, report
        stored_sequences = {int(row[0]) for row in backend.rows("SELECT sequence FROM audit_log")}
        assert set(acknowledged) == stored_sequences
        for server in servers:
            assert server.stop() == 0, server.logs()
        servers = []
    finally:
        for server in servers:
            server.process.kill()
