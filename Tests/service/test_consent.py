"""Consent and the audit log through a real `strata serve`: withdrawn units are never assigned, and
`strata audit verify` catches every kind of tampering (edit, delete, reorder) on SQLite and PostgreSQL."""
import hashlib
import json
import sqlite3
import subprocess

import pytest
import requests

from conftest import STRATA, Server, strata
from test_contract import postgres, postgres_binaries, postgres_server  # noqa: F401 (fixtures)

GENESIS = "0" * 64
MEMBER = {"marketing_opt_in": True, "membership_months": 14, "status": "active", "checkins_90d": 30}


def record_consents(server, changes):
    for unit, granted in changes:
        response = requests.post(
            server.url + "/v1/consent", json={"unit": unit, "granted": granted},
            headers={"X-API-Key": server.keys["server"]},
        )
        assert response.status_code == 200, response.text


def reasons(server, unit):
    """The unit's Strata reason from OFREP single, OFREP bulk and /v1/assign."""
    headers = {"X-API-Key": server.keys["server"]}
    context = {"context": {"targetingKey": unit, **MEMBER}}
    single = requests.post(server.url + "/ofrep/v1/evaluate/flags/gym-renewal-2026", json=context, headers=headers)
    bulk = requests.post(server.url + "/ofrep/v1/evaluate/flags", json=context, headers=headers)
    native = requests.post(
        server.url + "/v1/assign", json={"unit": unit, "experiment": "gym-renewal-2026", "attributes": MEMBER},
        headers=headers,
    )
    flag = next(f for f in bulk.json()["flags"] if f["key"] == "gym-renewal-2026")
    return (
        single.json()["metadata"]["strata_reason"], flag["metadata"]["strata_reason"],
        native.json()["assignments"][0]["reason"],
    )


def chain_hash(row):
    """The documented record hash: SHA-256 of the compact JSON array of the record's fields."""
    fields = [row["sequence"], row["recorded_at"], row["action"], row["unit"], row["actor"], row["detail"],
              row["previous_hash"]]
    return hashlib.sha256(json.dumps(fields, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def verify(database):
    return strata("audit", "verify", "--database", database, check=False)


def test_withdrawn_units_are_never_assigned_and_the_log_verifies(server):
    assert reasons(server, "M-1001") == ("assigned", "assigned", "assigned")
    record_consents(server, [("M-1001", False), ("M-1002", False), ("M-1003", False), ("M-1002", True), ("M-1004", False)])
    assert reasons(server, "M-1001") == ("no_consent", "no_consent", "no_consent")
    assert reasons(server, "M-1002") == ("assigned", "assigned", "assigned")
    metrics = requests.get(server.url + "/metrics").text
    assert 'strata_consent_changes_total{change="withdrawn"} 4' in metrics
    database = server.experiments.parent / "strata.db"
    assert server.stop() == 0, server.logs()

    with sqlite3.connect(database) as db:
        db.row_factory = sqlite3.Row
        rows = db.execute("SELECT * FROM audit_log ORDER BY sequence").fetchall()
        stored = "\n".join(str(tuple(r)) for r in rows) + str(db.execute("SELECT * FROM consent").fetchall())
    assert len(rows) == 5
    assert "M-100" not in stored, "unit ids in the audit log and consent table must be keyed hashes"
    previous = GENESIS
    for row in rows:  # an independent check of the documented format
        assert row["previous_hash"] == previous
        assert chain_hash(row) == row["record_hash"]
        previous = row["record_hash"]

    result = verify(f"sqlite:{database}")
    assert result.returncode == 0, result.stderr
    assert "intact: 5 records" in result.stdout
    report = json.loads(strata("audit", "verify", "--json", "--database", f"sqlite:{database}").stdout)
    assert report["intact"] and report["records"] == 5 and report["head"]["record_hash"] == previous

    # The refusals outlive the process.
    restarted = Server(server.experiments, server.experiments.parent / "keys.jsonl")
    restarted.keys = server.keys
    assert reasons(restarted, "M-1001") == ("no_consent", "no_consent", "no_consent")
    assert restarted.stop() == 0


def tampered_copy(database, tmp_path, name, statements):
    """A copy of the database with the append-only triggers dropped and `statements` applied."""
    copy = tmp_path / f"{name}.db"
    with sqlite3.connect(database) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    with sqlite3.connect(copy) as db:
        db.execute("DROP TRIGGER audit_log_no_update")
        db.execute("DROP TRIGGER audit_log_no_delete")
        for statement in statements:
            db.execute(statement)
    return copy


def test_audit_verify_names_the_first_broken_record(workspace, tmp_path):
    experiments, keys, made = workspace
    server = Server(experiments, keys)
    server.keys = made
    record_consents(server, [(f"U-{i}", i % 2 == 0) for i in range(1, 7)])
    assert server.stop() == 0
    database = experiments.parent / "strata.db"

    with sqlite3.connect(database) as db:  # the triggers stop ordinary writers
        for statement in ["UPDATE audit_log SET actor = 'x' WHERE sequence = 2", "DELETE FROM audit_log WHERE sequence = 2"]:
            try:
                db.execute(statement)
                raise AssertionError(f"{statement} was allowed")
            except sqlite3.DatabaseError as error:
                assert "append-only" in str(error)

    cases = {
        "edited": (["UPDATE audit_log SET detail = '{\"granted\":true}' WHERE sequence = 3"], "record 3"),
        "edited-actor": (
            ["UPDATE audit_log SET actor = 'intruder' WHERE sequence = 3"],
            "record 3",
        ),
        "deleted": (["DELETE FROM audit_log WHERE sequence = 2"], "record 2"),
        "deleted-last": (["DELETE FROM audit_log WHERE sequence = 6"], "record 6"),
        "reordered": (
            [
                "UPDATE audit_log SET sequence = -1 WHERE sequence = 2",
                "UPDATE audit_log SET sequence = 2 WHERE sequence = 4",
                "UPDATE audit_log SET sequence = 4 WHERE sequence = -1",
            ],
            "record 2",
        ),
    }
    for name, (statements, expected) in cases.items():
        copy = tampered_copy(database, tmp_path, name, statements)
        result = verify(f"sqlite:{copy}")
        assert result.returncode == 1, (name, result.stdout, result.stderr)
        assert expected in result.stderr, (name, result.stderr)

    # Editing a record and recomputing its hash moves the break to the next record.
    copy = tampered_copy(database, tmp_path, "forged", [])
    with sqlite3.connect(copy) as db:
        db.row_factory = sqlite3.Row
        row = dict(db.execute("SELECT * FROM audit_log WHERE sequence = 3").fetchone())
        row["actor"] = "intruder"
        db.execute("UPDATE audit_log SET actor = ?, record_hash = ? WHERE sequence = 3", (row["actor"], chain_hash(row)))
    result = verify(f"sqlite:{copy}")
    assert result.returncode == 1 and "record 4" in result.stderr, result.stderr

    missing = verify(f"sqlite:{tmp_path / 'nope.db'}")
    assert missing.returncode == 1 and "no such database file" in missing.stderr
    assert verify("mysql://x").returncode == 64


def test_postgresql_consent_and_audit(workspace, postgres, tmp_path):  # noqa: F811
    port, _ = postgres
    experiments, keys, made = workspace
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    without_key = subprocess.run(
        [STRATA, "serve", "--experiments", str(experiments), "--database", url, "--port", "0"],
        capture_output=True, text=True, timeout=60,
    )
    assert without_key.returncode == 1 and "--audit-key" in without_key.stderr
    server, psql, _ = postgres_server(workspace, postgres)  # its audit key: tmp_path / "audit.key"
    server.keys = made
    record_consents(server, [("M-1", False), ("M-2", False), ("M-3", False)])
    assert reasons(server, "M-2") == ("no_consent", "no_consent", "no_consent")
    assert server.stop() == 0, server.logs()

    # A second server with another key would not recognise the refusals: it refuses to start.
    other = subprocess.run(
        [STRATA, "serve", "--experiments", str(experiments), "--database", url, "--port", "0",
         "--audit-key", str(tmp_path / "other.key")],
        capture_output=True, text=True, timeout=60,
    )
    assert other.returncode == 1 and "not the one the database was used with" in other.stderr

    result = verify(url)
    assert result.returncode == 0 and "intact: 3 records" in result.stdout, result.stderr

    with pytest.raises(AssertionError, match="append-only"):  # psql's message fails the statement
        psql("DELETE FROM audit_log WHERE sequence = 2")
    psql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
    psql("UPDATE audit_log SET recorded_at = '2020-01-01T00:00:00Z' WHERE sequence = 2")
    result = verify(url)
    assert result.returncode == 1 and "record 2" in result.stderr, result.stderr
