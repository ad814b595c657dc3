"""Lin's regression adjustment (`covariates:`, HC2/HC3) from SQL: `strata sql` prints the first query (cells with
each regression metric's `<metric>_lin_*` moments), `strata sql --regression-cells CELLS.csv` the second (the fits as
literals; per cell the units' HC sums), and `strata analyze --data CELLS.csv --regression-sums SUMS.csv` combines
them. DuckDB, SQLite, PostgreSQL (`psql --csv`, and `analyze --database`, which runs both queries itself) and Spark
execute their own dialect, over a unit-level table and over the service's event-level tables; trino, bigquery,
snowflake and clickhouse are parsed by sqlglot in their own dialect and transpiled to DuckDB. Every analysis equals
the unit-level CSV's (1e-9 relative, `assert_same_analysis`) and statsmodels' OLS HC2/HC3 values committed with the
CSV test (Tests/StrataAnalysisTests/Fixtures/lin_analyze, 1e-9 relative). The data: that fixture's 1,110 units (3
variants, 2 segments, `spend` HC3 with missing: exclude, `renewed` HC2, two covariates with missing: zero), and the
same units with 10⁹ added to `spend` and `spend_before` (a large mean with a small spread)."""
import csv
import datetime
import io
import json
import math
import sqlite3
import subprocess
import time

import duckdb
import pytest
import sqlglot

from conftest import ROOT, STRATA, assert_same_analysis, strata
from postgres_cluster import Cluster
from test_sqlite import stored_time

FIXTURE = ROOT / "Tests" / "StrataAnalysisTests" / "Fixtures" / "lin_analyze"
DEFINITION = FIXTURE / "lin-renewal.yaml"
NUMBERS = ["spend", "renewed", "visits_before", "spend_before"]
SHIFTED = 1e9
START = datetime.datetime(2026, 3, 2, 9, 0, 0)


def read_units(shift=0.0):
    rows = []
    with open(FIXTURE / "lin-renewal.csv", newline="") as handle:
        for record in csv.DictReader(handle):
            row = {"unit_id": record["unit_id"], "variant": record["variant"], "segment": record["segment"]}
            for name in NUMBERS:
                row[name] = float(record[name]) if record[name] != "" else None
            if shift:
                for name in ("spend", "spend_before"):
                    row[name] = None if row[name] is None else row[name] + shift
            rows.append(row)
    return rows


def unit_tuples(rows):
    return [(r["unit_id"], r["variant"], r["segment"], r["spend"], r["renewed"], r["visits_before"],
             r["spend_before"]) for r in rows]


def event_tuples(rows, experiment="lin-renewal"):
    """Each unit exposed once; its metrics as events an hour after, its covariates an hour before (an empty value:
    no event, which the covariates' missing: zero and the metrics' missing: exclude read as the CSV does)."""
    exposures, events = [], []
    for index, row in enumerate(rows):
        exposed = START + datetime.timedelta(seconds=index)
        exposures.append((row["unit_id"], experiment, row["variant"], row["segment"], exposed, "h"))
        for name in NUMBERS:
            if row[name] is None:
                continue
            when = exposed + datetime.timedelta(hours=-1 if name.endswith("_before") else 1)
            events.append((row["unit_id"], name, row[name], when))
    return exposures, events


UNITS_DDL = ('CREATE TABLE lin_{s}units (unit_id {text}, variant {text}, segment {text}, spend {double}, '
             'renewed {double}, visits_before {double}, spend_before {double})')
EXPOSURES_DDL = ("CREATE TABLE lin_{s}exposures (unit_id {text}, experiment_id {text}, variant {text}, "
                 "segment {text}, exposed_at {time}, definition_hash {text})")
EVENTS_DDL = 'CREATE TABLE lin_{s}events (unit_id {text}, metric {text}, "value" {double}, occurred_at {time})'
TABLES = {"units": ("--table", "lin_units"), "events": ("--exposures", "lin_exposures", "--events", "lin_events")}


def load(con, rows, text, double, time, convert_time=lambda t: t, suffix=""):
    for ddl in (UNITS_DDL, EXPOSURES_DDL, EVENTS_DDL):
        con.execute(ddl.format(s=suffix, text=text, double=double, time=time))
    con.executemany(f"INSERT INTO lin_{suffix}units VALUES (?, ?, ?, ?, ?, ?, ?)", unit_tuples(rows))
    exposures, events = event_tuples(rows)
    con.executemany(f"INSERT INTO lin_{suffix}exposures VALUES (?, ?, ?, ?, ?, ?)",
                    [row[:4] + (convert_time(row[4]), row[5]) for row in exposures])
    con.executemany(f"INSERT INTO lin_{suffix}events VALUES (?, ?, ?, ?)",
                    [row[:3] + (convert_time(row[3]),) for row in events])


def tables(shape, suffix=""):
    return tuple(a.replace("lin_", "lin_" + suffix) for a in TABLES[shape])


def save(columns, rows, path):
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if v is None else repr(float(v)) if isinstance(v, float) else str(v) for v in row])
    return path


def two_queries(execute, dialect, shape, workdir, name, suffix="", transpile=False, definition=DEFINITION):
    """Runs `strata sql`'s first query, saves it, has `strata sql --regression-cells` write the second, runs and saves
    that, and returns `strata analyze --data cells --regression-sums sums --json`."""
    def run(sql):
        if transpile:
            assert len(sqlglot.parse(sql, read=dialect, error_level=sqlglot.ErrorLevel.RAISE)) == 1
            sql = sqlglot.transpile(sql, read=dialect, write="duckdb", error_level=sqlglot.ErrorLevel.RAISE)[0]
        return execute(sql)
    base = ["sql", "--experiment", str(definition), "--dialect", dialect, *tables(shape, suffix)]
    first = strata(*base)
    assert "--regression-cells" in first.stderr, first.stderr
    cells = save(*run(first.stdout), workdir / f"lin-{name}-cells.csv")
    second = strata(*base, "--regression-cells", str(cells)).stdout
    assert "lin_fit" in second
    sums = save(*run(second), workdir / f"lin-{name}-sums.csv")
    result = strata("analyze", "--experiment", str(definition), "--data", str(cells), "--regression-sums", str(sums),
                    "--json", "--no-look-log")
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def lin_workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("lin")


def csv_analysis_of(rows, path):
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["unit_id", "variant", "segment", *NUMBERS])
        for row in unit_tuples(rows):
            writer.writerow(["" if v is None else repr(v) if isinstance(v, float) else v for v in row])
    result = strata("analyze", "--experiment", str(DEFINITION), "--data", str(path), "--json", "--no-look-log")
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def lin_csv(lin_workdir):
    return {0.0: csv_analysis_of(read_units(), lin_workdir / "units.csv"),
            SHIFTED: csv_analysis_of(read_units(SHIFTED), lin_workdir / "units-shifted.csv")}


def check(got, lin_csv, shift=0.0):
    """The unit-level CSV's analysis of the same units, and for the fixture's own values statsmodels' (1e-9)."""
    assert_same_analysis(got, lin_csv[shift])
    if shift:
        return  # statsmodels' values are of the unshifted data (the 10⁹ case: the CSV path, itself checked in Swift)
    reference = json.loads((FIXTURE / "lin_analyze.json").read_text())
    checked = 0
    for case in reference["cases"]:
        found = next(r for r in got["results"] if (r["metric"], r["variant"], r["segment"])
                     == (case["metric"], case["variant"], case["segment"]))
        assert found["test"] == "lin-" + case["errors"].lower()
        adjusted = found["adjustment"]["adjusted"]
        for key, target in [("lift_abs", "estimate"), ("se", "se"), ("ci_abs_low", "ci_low"),
                            ("ci_abs_high", "ci_high"), ("p_value", "p_value")]:
            value, want = adjusted[key], case["adjusted"][target]
            assert math.isclose(value, want, rel_tol=1e-9), (case["metric"], case["segment"], key, value, want)
        checked += 1
    assert checked == 12


@pytest.fixture(scope="module")
def duck():
    con = duckdb.connect()
    load(con, read_units(), "VARCHAR", "DOUBLE", "TIMESTAMP")
    load(con, read_units(SHIFTED), "VARCHAR", "DOUBLE", "TIMESTAMP", suffix="big_")
    return con


def duck_execute(con):
    def execute(sql):
        result = con.execute(sql)
        return [d[0] for d in result.description], result.fetchall()
    return execute


@pytest.mark.parametrize("shape", ["units", "events"])
@pytest.mark.parametrize("shift", [0.0, SHIFTED])
def test_duckdb_two_queries_give_the_csv_and_statsmodels_values(duck, lin_csv, lin_workdir, shape, shift):
    suffix = "big_" if shift else ""
    got = two_queries(duck_execute(duck), "duckdb", shape, lin_workdir, f"duckdb-{shape}-{suffix}", suffix)
    check(got, lin_csv, shift)


@pytest.mark.parametrize("shape", ["units", "events"])
def test_sqlite_two_queries(lin_csv, lin_workdir, shape):
    con = sqlite3.connect(":memory:")
    load(con, read_units(), "TEXT", "REAL", "TIMESTAMP", stored_time)

    def execute(sql):
        result = con.execute(sql)
        return [d[0] for d in result.description], result.fetchall()
    check(two_queries(execute, "sqlite", shape, lin_workdir, f"sqlite-{shape}"), lin_csv)


def test_a_byte_order_mark_before_the_saved_results_changes_nothing(lin_csv, lin_workdir):
    """A spreadsheet program's UTF-8 byte-order mark before either saved result (cells or sums) is dropped: the
    analysis is the one without it (the sums file was refused with 'has no column "variant" (columns: \\ufeffvariant,
    ...)' after 77f0947)."""
    con = sqlite3.connect(":memory:")
    load(con, read_units(), "TEXT", "REAL", "TIMESTAMP", stored_time)

    def execute(sql):
        result = con.execute(sql)
        return [d[0] for d in result.description], result.fetchall()
    plain = two_queries(execute, "sqlite", "units", lin_workdir, "sqlite-bom")
    check(plain, lin_csv)
    cells, sums = (lin_workdir / f"lin-sqlite-bom-{part}.csv" for part in ("cells", "sums"))
    marked = {}
    for path in (cells, sums):
        marked[path] = lin_workdir / f"bom-{path.name}"
        marked[path].write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    for data, regression_sums in ((cells, marked[sums]), (marked[cells], marked[sums])):
        result = strata("analyze", "--experiment", str(DEFINITION), "--data", str(data), "--regression-sums",
                        str(regression_sums), "--json", "--no-look-log")
        got = json.loads(result.stdout)
        check(got, lin_csv)
        assert got["results"] == plain["results"]


def test_an_arm_too_small_for_its_covariates_is_one_sentence_from_rows_file_and_sql(lin_workdir):
    """South's treatment arm has 3 units for 2 covariates (the fit needs k + 2 = 4): the unit-level CSV read twice,
    the same CSV piped (its rows kept) and SQLite's two queries give that segment no test and the same note, from the
    one check every path calls (`InteractedRegressionFit.requireUnits`); the rest of the analysis is the same too."""
    definition = lin_workdir / "lin-small.yaml"
    definition.write_text(DEFINITION.read_text().replace("id: lin-renewal", "id: lin-small")
                          .replace("  - key: reminder\n  - key: coach\n", "  - key: treatment\n"))
    rows = []
    for segment, control, treatment in [("north", 20, 20), ("south", 10, 3)]:
        for variant, count in [("control", control), ("treatment", treatment)]:
            for _ in range(count):
                i = len(rows) + 1
                rows.append({"unit_id": f"u{i}", "variant": variant, "segment": segment,
                             "spend": 10 + (i * 7) % 13 + (0.5 if variant == "treatment" else 0.0),
                             "renewed": float(i % 3 == 0), "visits_before": float(i % 4),
                             "spend_before": 20.0 + (i * 11) % 17})
    path = lin_workdir / "lin-small.csv"
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["unit_id", "variant", "segment", *NUMBERS])
        writer.writerows(unit_tuples(rows))
    base = ["analyze", "--experiment", str(definition), "--json", "--no-look-log"]
    from_file = json.loads(strata(*base, "--data", str(path)).stdout)
    piped = subprocess.run([STRATA, *base, "--data", "/dev/stdin"], input=path.read_text(), capture_output=True,
                           text=True)
    assert piped.returncode == 0, piped.stderr
    con = sqlite3.connect(":memory:")
    load(con, rows, "TEXT", "REAL", "TIMESTAMP", stored_time)

    def execute(sql):
        result = con.execute(sql)
        return [d[0] for d in result.description], result.fetchall()
    from_sql = two_queries(execute, "sqlite", "units", lin_workdir, "sqlite-small", definition=definition)
    note = "No test: arms: arm 1 has 3 units; 2 covariate(s) need at least 4 per arm."
    for got in (from_file, json.loads(piped.stdout), from_sql):
        south = [r for r in got["results"] if r["segment"] == "south"]
        assert len(south) == 2 and all(r["test"] is None and r["notes"] == [note] for r in south), south
        assert any(r["test"] == "lin-hc3" for r in got["results"] if r["segment"] == "north")
    assert_same_analysis(json.loads(piped.stdout), from_file)
    assert_same_analysis(from_sql, from_file)


@pytest.mark.parametrize("dialect", ["trino", "bigquery", "snowflake", "clickhouse"])
@pytest.mark.parametrize("shape", ["units", "events"])
def test_other_dialects_parse_and_transpile(duck, lin_csv, lin_workdir, dialect, shape):
    got = two_queries(duck_execute(duck), dialect, shape, lin_workdir, f"{dialect}-{shape}", transpile=True)
    check(got, lin_csv)


@pytest.fixture(scope="module")
def pg():
    # pg_stat_activity keeps a query's first track_activity_query_size bytes (1024 by default): Lin's two queries
    # share their first few kilobytes (unit_rows), so the write test needs the whole text to tell them apart.
    cluster = Cluster().start(settings="-c track_activity_query_size=65536")
    try:
        for suffix, shift in [("", 0.0), ("big_", SHIFTED)]:
            rows = read_units(shift)
            for ddl in (UNITS_DDL, EXPOSURES_DDL, EVENTS_DDL):
                cluster.psql("-c", ddl.format(s=suffix, text="TEXT", double="DOUBLE PRECISION", time="TIMESTAMP"))
            exposures, events = event_tuples(rows)
            for name, data in [("units", unit_tuples(rows)), ("exposures", exposures), ("events", events)]:
                text = io.StringIO()
                csv.writer(text).writerows([["" if v is None else repr(v) if isinstance(v, float) else v
                                             for v in row] for row in data])
                cluster.psql("-c", f"\\copy lin_{suffix}{name} FROM STDIN WITH (FORMAT csv)", input=text.getvalue())
        cluster.psql("-c", "ANALYZE")
        yield cluster
    finally:
        cluster.stop()


@pytest.mark.parametrize("shape", ["units", "events"])
def test_postgres_psql_csv_two_queries(pg, lin_csv, lin_workdir, shape):
    def execute(sql):
        records = list(csv.reader(io.StringIO(pg.psql("--csv", "-c", sql).stdout)))
        return records[0], [[v if v != "" else None for v in r] for r in records[1:]]
    check(two_queries(execute, "postgres", shape, lin_workdir, f"postgres-{shape}"), lin_csv)


@pytest.mark.parametrize("shape", ["units", "events"])
@pytest.mark.parametrize("shift", [0.0, SHIFTED])
def test_postgres_analyze_database_runs_both_queries(pg, lin_csv, shape, shift):
    suffix = "big_" if shift else ""
    url = f"postgresql://postgres@127.0.0.1:{pg.port}/postgres"
    args = [STRATA, "analyze", "--experiment", str(DEFINITION), "--database", url, *tables(shape, suffix), "--json",
            "--no-look-log"]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    check(json.loads(result.stdout), lin_csv, shift)


def test_postgres_analyze_database_bounds_its_transactions_idle_wait(pg, lin_csv):
    """`analyze --database` sets idle_in_transaction_session_timeout (1 min) in its transaction, so that PostgreSQL ends
    it, and frees its snapshot and locks, when a network cut that drops packets leaves it waiting for the second query
    (before: until PostgreSQL's TCP keepalive gave up, about 2 h 11 min with Linux's defaults). The table is read
    through a view whose function fails both queries unless the setting is in force; a plain session does not have it."""
    pg.psql("-c", "CREATE FUNCTION lin_idle_bound() RETURNS boolean LANGUAGE plpgsql STABLE AS "
                  "$$ BEGIN IF current_setting('idle_in_transaction_session_timeout') <> '1min' THEN "
                  "RAISE EXCEPTION 'idle_in_transaction_session_timeout is %', "
                  "current_setting('idle_in_transaction_session_timeout'); END IF; RETURN true; END $$")
    pg.psql("-c", "CREATE VIEW lin_idle_bounded AS SELECT * FROM lin_units WHERE (SELECT lin_idle_bound())")
    with pytest.raises(subprocess.CalledProcessError) as plain:
        pg.psql("-c", "SELECT count(*) FROM lin_idle_bounded")
    assert "idle_in_transaction_session_timeout is 0" in plain.value.stderr
    url = f"postgresql://postgres@127.0.0.1:{pg.port}/postgres"
    args = [STRATA, "analyze", "--experiment", str(DEFINITION), "--database", url, "--table", "lin_idle_bounded",
            "--json", "--no-look-log"]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    check(json.loads(result.stdout), lin_csv)


def test_postgres_a_write_between_the_two_queries_is_in_neither(pg, lin_csv):
    """`analyze --database` runs Lin's two queries in one REPEATABLE READ READ ONLY transaction: a unit another
    connection inserts and commits while the first query runs (after its snapshot, before the second query) is in
    neither, so the analysis is the unchanged table's (the CSV's) and never "changed between the two queries"; the
    next run sees it. The table is read through a view that pauses each query (pg_sleep, 2 s); the write waits until
    pg_stat_activity shows strata's backend sleeping, and that backend's query must still be the same one after the
    commit (else the test could not tell a snapshot from two). Only the first query counts as the pause (the second
    is the one that returns lin_fit): were the first pause missed and the write made during the second query, even
    a READ COMMITTED transaction would leave it out, and the test could not fail."""
    pg.psql("-c", "CREATE TABLE lin_moving AS SELECT * FROM lin_units")
    pg.psql("-c", "CREATE FUNCTION lin_pause() RETURNS boolean LANGUAGE plpgsql VOLATILE AS "
                  "$$ BEGIN PERFORM pg_sleep(2); RETURN true; END $$")
    pg.psql("-c", "CREATE VIEW lin_paused AS SELECT * FROM lin_moving WHERE (SELECT lin_pause())")
    url = f"postgresql://postgres@127.0.0.1:{pg.port}/postgres"
    args = [STRATA, "analyze", "--experiment", str(DEFINITION), "--database", url, "--table", "lin_paused", "--json",
            "--no-look-log"]
    sleeping = ("SELECT pid || ' ' || query_start FROM pg_stat_activity WHERE wait_event = 'PgSleep' "
                "AND pid <> pg_backend_pid() AND query NOT LIKE '%lin_fit%'")
    run = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        first = ""
        while not first and time.monotonic() < deadline and run.poll() is None:
            first = pg.psql("-At", "-c", sleeping).stdout.strip()
            if not first:
                time.sleep(0.02)
        assert first, "strata's first query never reached the pause"
        pg.psql("-c", "INSERT INTO lin_moving VALUES ('late1', 'coach', 'south', 50.0, 1, 3, 40.0)")
        assert pg.psql("-At", "-c", sleeping).stdout.strip() == first, "the write landed after the first query"
        stdout, stderr = run.communicate(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, stderr
    check(json.loads(stdout), lin_csv)
    after = subprocess.run(args, capture_output=True, text=True, timeout=120)
    assert after.returncode == 0, after.stderr
    counts = {(r["metric"], r["variant"], r["segment"]): r["n_treatment"] for r in json.loads(after.stdout)["results"]}
    before = {(r["metric"], r["variant"], r["segment"]): r["n_treatment"] for r in lin_csv[0.0]["results"]}
    assert counts[("spend", "coach", "south")] == before[("spend", "coach", "south")] + 1


def test_a_changed_table_between_the_queries_is_refused(duck, lin_workdir):
    """A unit added after the first query: the second query's unit count differs from the first's, and analyze
    stops with one sentence naming the file, the row and the column (never sums of other units)."""
    duck.execute("CREATE TABLE lin_moving AS SELECT * FROM lin_units")
    base = ["sql", "--experiment", str(DEFINITION), "--dialect", "duckdb", "--table", "lin_moving"]
    execute = duck_execute(duck)
    cells = save(*execute(strata(*base).stdout), lin_workdir / "moving-cells.csv")
    duck.execute("INSERT INTO lin_moving VALUES ('late1', 'coach', 'south', 50.0, 1, 3, 40.0)")
    sums = save(*execute(strata(*base, "--regression-cells", str(cells)).stdout), lin_workdir / "moving-sums.csv")
    result = strata("analyze", "--experiment", str(DEFINITION), "--data", str(cells), "--regression-sums", str(sums),
                    "--no-look-log", check=False)
    assert result.returncode == 1 and result.stdout == "", result.stdout
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "spend_lin_n" in result.stderr and "changed between the two queries" in result.stderr, result.stderr


def test_cells_without_the_second_query_say_what_to_run(duck, lin_workdir):
    sql = strata("sql", "--experiment", str(DEFINITION), "--dialect", "duckdb", "--table", "lin_units").stdout
    cells = save(*duck_execute(duck)(sql), lin_workdir / "alone-cells.csv")
    result = strata("analyze", "--experiment", str(DEFINITION), "--data", str(cells), "--no-look-log", check=False)
    assert result.returncode == 1, result.stdout
    assert "--regression-cells" in result.stderr and "--regression-sums" in result.stderr, result.stderr


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession
    from pyspark.sql import types as T

    session = (SparkSession.builder.master("local[2]").appName("strata-lin-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
               .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    text, double, time = T.StringType(), T.DoubleType(), T.TimestampNTZType()
    rows = read_units()
    session.createDataFrame(unit_tuples(rows), T.StructType(
        [T.StructField(n, text) for n in ("unit_id", "variant", "segment")]
        + [T.StructField(n, double) for n in NUMBERS])).createOrReplaceTempView("lin_units")
    exposures, events = event_tuples(rows)
    session.createDataFrame(exposures, T.StructType([
        T.StructField(n, t) for n, t in [("unit_id", text), ("experiment_id", text), ("variant", text),
                                         ("segment", text), ("exposed_at", time), ("definition_hash", text)]
    ])).createOrReplaceTempView("lin_exposures")
    session.createDataFrame(events, T.StructType([
        T.StructField(n, t) for n, t in [("unit_id", text), ("metric", text), ("value", double), ("occurred_at", time)]
    ])).createOrReplaceTempView("lin_events")
    yield session
    session.stop()


@pytest.mark.parametrize("shape", ["units", "events"])
def test_spark_two_queries(spark, lin_csv, lin_workdir, shape):
    def execute(sql):
        result = spark.sql(sql)
        return result.columns, [tuple(row) for row in result.collect()]
    check(two_queries(execute, "spark", shape, lin_workdir, f"spark-{shape}"), lin_csv)
