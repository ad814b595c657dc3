"""`strata analyze --database`: the query runs on a throwaway PostgreSQL 15 cluster (password auth, and a
second one with TLS) and the analysis equals the CSV path's, data account included; every failure is one
sentence, exit 1, without the password, and nothing hangs."""
import csv
import io
import json
import os
import signal
import socket
import subprocess
import threading
import time

import pytest

import covariate_data
import engines
import warehouse_data as data
from conftest import STRATA, analysis, assert_same_analysis, strata
from postgres_cluster import Cluster

PASSWORD = "s3cr:t/@ pw%"  # characters a URL must percent-encode
ENCODED = "s3cr%3At%2F%40%20pw%25"


def load(cluster, unit_csv, event_rows, password=None):
    for statement in engines.ddl('"', "TEXT", "DOUBLE PRECISION", "INTEGER", "TIMESTAMP"):
        cluster.psql("-c", statement, password=password)
    exposures, events = event_rows
    for name, rows in [("exposures", exposures), ("events", events)]:
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        cluster.psql("-c", f"\\copy {name} FROM STDIN WITH (FORMAT csv)", input=text.getvalue(), password=password)
    cluster.psql("-c", "\\copy units FROM STDIN WITH (FORMAT csv, HEADER true)", input=unit_csv.read_text(),
                 password=password)
    cluster.psql("-c", "ANALYZE", password=password)


@pytest.fixture(scope="module")
def pg(unit_csv, event_rows):
    cluster = Cluster().start(password=PASSWORD)
    try:
        load(cluster, unit_csv, event_rows, PASSWORD)
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="module")
def pg_tls(unit_csv, event_rows):
    cluster = Cluster().start(tls=True)
    try:
        load(cluster, unit_csv, event_rows)
        yield cluster
    finally:
        cluster.stop()


def url(cluster, *, password=None, database="postgres", query=""):
    secret = f":{password}" if password else ""
    return f"postgresql://postgres{secret}@127.0.0.1:{cluster.port}/{database}{query}"


def analyze(definition, database, *tables, env=None, extra=()):
    args = [STRATA, "analyze", "--experiment", str(definition), "--database", database, *tables, "--json",
            "--no-look-log", *extra]
    started = time.monotonic()
    base = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    result = subprocess.run(args, capture_output=True, text=True, env={**base, **(env or {})}, timeout=120)
    return result, time.monotonic() - started


UNITS = ("--table", "public.units")
EVENTS = ("--exposures", "exposures", "--events", "events")


def csv_account(analysis):
    d = analysis["data"]
    return ({k: d[k] for k in ["rows_read", "rows_used", "rows_dropped", "units_total", "units",
                               "duplicates_checked"]},
            {i["kind"]: i["count"] for i in d["issues"]})


def test_units_analysis_and_data_account_equal_the_csv_path(pg, definition, csv_analysis):
    result, _ = analyze(definition, url(pg), *UNITS, env={"PGPASSWORD": PASSWORD})
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert_same_analysis(got, csv_analysis)
    assert csv_account(got) == csv_account(csv_analysis)
    assert got["data"]["format"] == "query" and csv_analysis["data"]["format"] == "unit-level"
    assert got["data"]["rows_dropped"] == sum(data.account(data.units())[1].values()) > 0
    assert got["data"]["file"].startswith(f"PostgreSQL postgresql://postgres@127.0.0.1:{pg.port}/postgres, "
                                          "table public.units, query ")
    assert [w for w in got["warnings"] if "rows were dropped" in w] == \
        [w for w in csv_analysis["warnings"] if "rows were dropped" in w]


def test_event_tables_give_the_csv_analysis(pg, definition, csv_analysis):
    result, _ = analyze(definition, url(pg), *EVENTS, env={"PGPASSWORD": PASSWORD})
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert_same_analysis(got, csv_analysis)
    assert got["data"]["units"] == csv_analysis["data"]["units"]
    assert f"{data.MULTIPLE_VARIANT_UNITS} units exposed to more than one variant left out" in got["data"]["file"]


def test_a_covariate_without_history_stops_as_the_unit_level_csv(pg, cov_definition, cov_units, cov_events,
                                                                  workdir):
    """missing: exclude on a covariate and a unit with the metric's value but no pre-period event: the query
    fills the cells the unit-level CSV reader fills (the pair's own units, CellQuery.pairUnitsColumns), so
    `analyze --database` stops with exactly the sentence of `analyze` of that unit-level CSV (exit 1), after
    the query's notes."""
    from test_covariate_events import EVENTS_DDL, EXPOSURES_DDL, gap
    unit, units = gap(cov_units)
    exposures, events = cov_events
    events = [e for e in events if not (e[1] == "visits_before_all" and e[0] == unit["customer_id"])]
    tables = {"cov_exposures": exposures, "cov_events": events}
    pg.psql("-c", EXPOSURES_DDL.format(text="TEXT", time="TIMESTAMP"), password=PASSWORD)
    pg.psql("-c", EVENTS_DDL.format(text="TEXT", double="DOUBLE PRECISION", time="TIMESTAMP"), password=PASSWORD)
    for name, rows in tables.items():
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        pg.psql("-c", f"\\copy {name} FROM STDIN WITH (FORMAT csv)", input=text.getvalue(), password=PASSWORD)
    result, _ = analyze(cov_definition, url(pg), "--exposures", "cov_exposures", "--events", "cov_events",
                        env={"PGPASSWORD": PASSWORD})
    path = workdir / "cov-gap-units-pg.csv"
    covariate_data.write_csv(units, path)
    reference = strata("analyze", "--experiment", str(cov_definition), "--data", str(path), "--json",
                       "--no-look-log", check=False)
    assert reference.returncode == 1 and "same units" in reference.stderr, reference.stderr
    assert result.returncode == 1 and result.stdout == "", result.stdout
    # The query's notes (missing: exclude leaves units out) come first; the error is the CSV's, word for word.
    errors = [line for line in result.stderr.splitlines() if not line.startswith("strata: note:")]
    assert errors == reference.stderr.splitlines() and len(errors) == 1, (result.stderr, reference.stderr)
    # The complete events (no gap) give the unit-level CSV's analysis, as psql's saved cells do (test_postgres.py).
    pg.psql("-c", "CREATE TABLE cov_events_all (LIKE cov_events)", password=PASSWORD)
    text = io.StringIO()
    csv.writer(text).writerows(cov_events[1])
    pg.psql("-c", "\\copy cov_events_all FROM STDIN WITH (FORMAT csv)", input=text.getvalue(), password=PASSWORD)
    result, _ = analyze(cov_definition, url(pg), "--exposures", "cov_exposures", "--events", "cov_events_all",
                        env={"PGPASSWORD": PASSWORD})
    assert result.returncode == 0, result.stderr
    full = workdir / "cov-units-pg.csv"
    covariate_data.write_csv(cov_units, full)
    assert_same_analysis(json.loads(result.stdout), analysis(cov_definition, full))


def test_the_password_from_the_url_is_never_shown(pg, definition, workdir):
    reports = workdir / "database-reports"
    result, _ = analyze(definition, url(pg, password=ENCODED), *UNITS, extra=["--report", str(reports)])
    assert result.returncode == 0, result.stderr
    written = {p.suffix: p.read_text() for p in reports.iterdir()}
    assert sorted(written) == [".csv", ".html", ".md"]  # the report set: Markdown, HTML and the results CSV
    for text in [result.stdout, result.stderr, *written.values()]:
        assert PASSWORD not in text and ENCODED not in text and "s3cr" not in text


def silent_server():
    """A TCP port that accepts connections and never answers (a hung server or a black-holing proxy)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held = []
    threading.Thread(target=lambda: [held.append(listener.accept()) for _ in range(8)], daemon=True).start()
    return listener


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


MISSING_COLUMN = data.DEFINITION.replace(f'column: "{data.BASKET}"', 'column: "no such column"')


@pytest.mark.parametrize("case", ["wrong password", "no password", "no table", "no column", "no database",
                                  "refused", "bad url", "tls refused", "silent server", "unknown parameter"])
def test_failures_are_one_sentence_exit_1_without_the_password(pg, definition, workdir, case):
    env, tables, extra, target = {"PGPASSWORD": PASSWORD}, UNITS, [], url(pg)
    expected = {
        "wrong password": 'password authentication failed for user "postgres"',
        "no password": "the server asks for a password (put it in the URL or in PGPASSWORD)",
        "no table": 'relation "nope" does not exist',
        "no column": 'column "no such column" does not exist',
        "no database": 'database "nodb" does not exist',
        "refused": "connection refused",
        "bad url": "--database: the port (from the URL) is not a number from 1 to 65535",
        "tls refused": "the server does not offer TLS",
        "silent server": "did not answer within 2 s",
        "unknown parameter": '--database: the query parameter "sslcert" is not supported',
    }[case]
    if case == "wrong password":
        env = {"PGPASSWORD": "not-" + PASSWORD}
    elif case == "no password":
        env = {}
    elif case == "no table":
        tables = ("--table", "nope")
    elif case == "no column":
        definition = workdir / "missing-column.yaml"
        definition.write_text(MISSING_COLUMN)
    elif case == "no database":
        target = url(pg, database="nodb")
    elif case == "refused":
        target = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"
    elif case == "bad url":
        target = f"postgresql://postgres:{ENCODED}@127.0.0.1:99999/postgres"
    elif case == "tls refused":
        target = url(pg, query="?sslmode=require")
    elif case == "silent server":
        listener = silent_server()
        target = f"postgresql://postgres@127.0.0.1:{listener.getsockname()[1]}/postgres"
        extra = ["--timeout", "2"]
    elif case == "unknown parameter":
        target = url(pg, query=f"?sslcert={ENCODED}")
    result, elapsed = analyze(definition, target, *tables, env=env, extra=extra)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("strata: error: "), result.stderr
    assert expected in lines[0]
    assert PASSWORD not in result.stderr and ENCODED not in result.stderr
    assert elapsed < 30


def test_tls_is_used_when_asked_and_an_unverifiable_certificate_is_refused(pg_tls, definition, csv_analysis):
    for mode in ["prefer", "require"]:
        result, _ = analyze(definition, url(pg_tls, query=f"?sslmode={mode}"), *UNITS)
        assert result.returncode == 0, (mode, result.stderr)
        assert_same_analysis(json.loads(result.stdout), csv_analysis)
    result, _ = analyze(definition, url(pg_tls, query="?sslmode=disable"), *UNITS)  # the cluster requires TLS
    assert result.returncode == 1 and "no encryption" in result.stderr, result.stderr
    result, _ = analyze(definition, url(pg_tls, query="?sslmode=verify-full"), *UNITS)
    assert result.returncode == 1 and "sslmode=verify-full needs sslrootcert=FILE" in result.stderr, result.stderr
    result, _ = analyze(definition, url(pg_tls, query="?sslmode=verify-full&sslrootcert=system"), *UNITS)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot connect to PostgreSQL at 127.0.0.1" in lines[0], result.stderr
    assert "certificate" in lines[0].lower(), lines[0]


def test_data_and_database_do_not_mix(definition, unit_csv):
    result = strata("analyze", "--experiment", str(definition), "--data", str(unit_csv), "--database",
                    "postgresql://u@h/d", "--table", "t", check=False)
    assert result.returncode == 64
    result = strata("analyze", "--experiment", str(definition), "--database", "postgresql://u@h/d", check=False)
    assert result.returncode == 64 and "--table" in result.stderr


def wait_for(cluster, sql, *, seconds=60):
    """Polls `sql` (one value) until it is not empty; the value."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = cluster.psql("-At", "-c", sql, password=PASSWORD).stdout.strip()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"waited {seconds} s for: {sql}")


def test_a_connection_closed_between_statements_fails_at_once(pg, definition):
    """The server ends strata's session after the first query answered and before the next statement (here an
    administrator's pg_terminate_backend; PostgreSQL's idle-in-transaction limit does the same after 60 s). Before, the
    next statement was written to the closed connection, whose failure postgres-nio never reports: `analyze` waited
    forever, past --timeout (review G5). Now: exit 1, one sentence, at once.

    The first query is held on a lock until strata is stopped (SIGSTOP), so its whole answer, then the server's close,
    wait in the socket for strata to resume."""
    locker = subprocess.Popen(
        ["psql", "-X", "-q", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-d", "postgres"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True,
        env=dict(os.environ, PGPASSWORD=PASSWORD))
    run = None
    try:
        locker.stdin.write("BEGIN;\nLOCK TABLE public.units IN ACCESS EXCLUSIVE MODE;\n")
        locker.stdin.flush()
        wait_for(pg, "SELECT 1 FROM pg_locks WHERE relation = 'public.units'::regclass AND granted "
                     "AND mode = 'AccessExclusiveLock'")
        base = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        run = subprocess.Popen(
            [STRATA, "analyze", "--experiment", str(definition), "--database", url(pg), *UNITS, "--json",
             "--no-look-log", "--timeout", "600"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**base, "PGPASSWORD": PASSWORD})
        pid = wait_for(pg, "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH %'")
        run.send_signal(signal.SIGSTOP)
        locker.stdin.write("COMMIT;\n")
        locker.stdin.flush()
        wait_for(pg, f"SELECT 1 FROM pg_stat_activity WHERE pid = {pid} AND state = 'idle in transaction'")
        wait_for(pg, f"SELECT pg_terminate_backend({pid})")
        wait_for(pg, f"SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = {pid})")
        run.send_signal(signal.SIGCONT)
        started = time.monotonic()
        try:
            out, err = run.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            raise AssertionError("strata analyze --database still waits 60 s after the server closed its connection")
        assert time.monotonic() - started < 30
        assert run.returncode == 1 and out == "", err
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("strata: error: the query on PostgreSQL at 127.0.0.1"), err
        # The close is read before the next statement is written (the usual order), or while it is in flight.
        assert ("the server closed the connection" in lines[0]
                or "terminating connection due to administrator command" in lines[0]), lines[0]
        assert PASSWORD not in err and ENCODED not in err
    finally:
        if run is not None and run.poll() is None:
            run.send_signal(signal.SIGCONT)
            run.kill()
            run.wait()
        locker.kill()
        locker.wait()
