"""Cells whose values of a column are all equal but not the query's K (constant_data.py: an all-zero cell of a sparse
metric under missing: zero, an all-42.5 cell, a constant CUPED covariate, ratio denominator and Lin outcome): the first
query gives each its value as `<col>_shift` and sums of exactly 0 (cross-products and Lin's pass-1 sums with it too),
so nothing is doubtful and no refinement runs; the cells' analysis is the unit-level CSV's. SQLite, DuckDB (and trino,
bigquery, snowflake, clickhouse through sqlglot), PostgreSQL (psql, and analyze --database, whose statements the
server logs: one cells query and Lin's, no second cells query) and Spark local[2] (its own session, tables
cc_*), both shapes. A result saved by a query without the
constant handling still reads, warns and refines as before."""
import csv
import io
import json
import os
import re
import sqlite3
import subprocess

import duckdb
import pytest
import sqlglot

import constant_data as data
from conftest import STRATA, analysis, assert_same_analysis, cursor_runner, strata, write_cells
from postgres_cluster import Cluster
from test_sqlite import stored_time

SHAPES = {"units": ("--table", "units"), "events": ("--exposures", "exposures", "--events", "events")}
OTHER_DIALECTS = ["trino", "bigquery", "snowflake", "clickhouse"]
# (cell, column): the value every unit of the cell has (after missing: zero), and the sums that must then be 0.
CONSTANT = {
    (("control", "b"), "revenue"): (0.0, ["revenue_sum", "revenue_sum_sq", "revenue_x_revenue_before_sum"]),
    (("treatment", "c"), "revenue"): (42.5, ["revenue_sum", "revenue_sum_sq", "revenue_x_revenue_before_sum"]),
    (("treatment", "a"), "revenue_before"): (
        10.0, ["revenue_before_sum", "revenue_before_sum_sq", "revenue_x_revenue_before_sum"]),
    (("treatment", "b"), "orders"): (1.0, ["orders_sum", "orders_sum_sq", "order_value_x_orders_sum"]),
    (("control", "a"), "spend"): (15.0, ["spend_sum", "spend_sum_sq", "spend_lin_spend_sum",
                                         "spend_lin_spend_x_spend_sum", "spend_lin_spend_x_visits_before_sum"]),
}


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    work = tmp_path_factory.mktemp("constant")
    definition = work / "constant.yaml"
    definition.write_text(data.DEFINITION)
    rows = data.units()
    return work, definition, rows, analysis(definition, data.write_csv(rows, work / "units.csv"))


def sql(definition, dialect, shape, *extra, shapes=SHAPES):
    return strata("sql", "--experiment", str(definition), "--dialect", dialect, *shapes[shape], *extra).stdout


def records(columns, rows):
    return {(r["variant"], r["segment"]): r for r in (dict(zip(columns, row)) for row in rows)}


def check_constant_cells(columns, rows, one_k=True):
    """Every constant cell's shift is its value and its sums are exactly 0; another cell's shift is the query's K
    (`one_k`; a refinement's are each cell's mean)."""
    got = records(columns, rows)
    for (cell, column), (value, sums) in CONSTANT.items():
        record = got[cell]
        assert float(record[column + "_shift"]) == value, (cell, column, record[column + "_shift"])
        for name in sums:
            assert float(record[name]) == 0, (cell, name, record[name])
    shifts = {float(r["revenue_shift"]) for key, r in got.items() if key not in {("control", "b"), ("treatment", "c")}}
    assert len(shifts) == 1 or not one_k, shifts  # one K for the cells that spread


def analyze_result(work, definition, dialect, shape, name, run, columns, rows, shapes=SHAPES):
    """The saved cells (and Lin's second query, run on them) analysed: no warning, the CSV's analysis; --refine
    prints nothing for them."""
    cells = write_cells(columns, rows, work / f"{name}-{shape}-cells.csv")
    refine = strata("sql", "--experiment", str(definition), "--dialect", dialect, *shapes[shape], "--refine",
                    str(cells))
    assert refine.stdout == "" and "no cell of" in refine.stderr, refine.stderr
    second = sql(definition, dialect, shape, "--regression-cells", str(cells), shapes=shapes)
    sums = write_cells(*run(second), work / f"{name}-{shape}-sums.csv")
    result = strata("analyze", "--experiment", str(definition), "--data", str(cells), "--regression-sums", str(sums),
                    "--json", "--no-look-log")
    assert "warning" not in result.stderr and "refine" not in result.stderr, result.stderr
    return json.loads(result.stdout)


def check_engine(setup, dialect, shape, run, name=None, shapes=SHAPES):
    work, definition, _, csv_result = setup
    text = sql(definition, dialect, shape, shapes=shapes)
    assert "cell_constants" not in text
    columns, rows = run(text)
    check_constant_cells(columns, rows)
    got = analyze_result(work, definition, dialect, shape, name or dialect, run, columns, rows, shapes=shapes)
    assert_same_analysis(got, csv_result)
    return columns, rows


@pytest.fixture(scope="module")
def lite(setup):
    _, _, rows, _ = setup
    con = sqlite3.connect(":memory:")
    for statement in data.ddl("TEXT", "REAL", "INTEGER", "TEXT"):
        con.execute(statement)
    con.executemany(f"INSERT INTO units VALUES ({', '.join('?' * len(data.COLUMNS))})", data.unit_tuples(rows))
    exposures, events = data.events(rows)
    con.executemany("INSERT INTO exposures VALUES (?, ?, ?, ?, ?, ?)",
                    [row[:4] + (stored_time(row[4]), row[5]) for row in exposures])
    con.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", [row[:3] + (stored_time(row[3]),) for row in events])
    return con


@pytest.mark.parametrize("shape", ["units", "events"])
def test_sqlite_constant_cells_are_exact_in_the_first_query(setup, lite, shape):
    check_engine(setup, "sqlite", shape, cursor_runner(lite))


@pytest.fixture(scope="module")
def duck(setup):
    _, _, rows, _ = setup
    con = duckdb.connect()
    for statement in data.ddl("VARCHAR", "DOUBLE", "INTEGER", "TIMESTAMP"):
        con.execute(statement)
    con.executemany(f"INSERT INTO units VALUES ({', '.join('?' * len(data.COLUMNS))})", data.unit_tuples(rows))
    exposures, events = data.events(rows)
    con.executemany("INSERT INTO exposures VALUES (?, ?, ?, ?, ?, ?)", exposures)
    con.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", events)
    return con


@pytest.mark.parametrize("shape", ["units", "events"])
def test_duckdb_and_sqlglot_dialects_give_constant_cells_exact(setup, duck, shape):
    _, definition, _, _ = setup
    reference = check_engine(setup, "duckdb", shape, cursor_runner(duck))
    for dialect in OTHER_DIALECTS:
        text = sql(definition, dialect, shape)
        assert "MAX(u.m1) - MIN(u.m1) = 0" in text
        parsed = sqlglot.parse(text, read=dialect, error_level=sqlglot.ErrorLevel.RAISE)
        assert len(parsed) == 1, "one statement"
        transpiled = sqlglot.transpile(text, read=dialect, write="duckdb", error_level=sqlglot.ErrorLevel.RAISE)[0]
        columns, rows = cursor_runner(duck)(transpiled)
        # Floats as the engine summed them in another order of the same rows: the counts, shifts and zeros exact.
        assert columns == reference[0], dialect
        check_constant_cells(columns, rows)


@pytest.fixture(scope="module")
def pg(setup):
    _, _, rows, _ = setup
    cluster = Cluster().start(settings="-c log_statement=all")
    try:
        yield cluster.load_experiment_tables(data, rows)
    finally:
        cluster.stop()


def logged_queries(cluster, since):
    """The statements that began with WITH (cells queries) logged after byte `since` of the server's log."""
    with open(os.path.join(cluster.root, "log"), encoding="utf-8", errors="replace") as log:
        log.seek(since)
        text = log.read()
    return re.findall(r"LOG:  (?:statement|execute [^:]*): (WITH[^\n]*)", text)


def log_size(cluster):
    return os.path.getsize(os.path.join(cluster.root, "log"))


@pytest.mark.parametrize("shape", ["units", "events"])
def test_postgres_psql_and_analyze_database_run_one_cells_query(setup, pg, shape):
    work, definition, _, csv_result = setup

    def run(text):
        output = list(csv.reader(io.StringIO(pg.psql("--csv", "-c", text).stdout)))
        return output[0], output[1:]

    check_engine(setup, "postgres", shape, run)
    url = f"postgresql://postgres@127.0.0.1:{pg.port}/postgres"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    since = log_size(pg)
    result = subprocess.run([STRATA, "analyze", "--experiment", str(definition), "--database", url,
                             *SHAPES[shape], "--json", "--no-look-log"], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "had lost digits" not in result.stderr and "warning" not in result.stderr, result.stderr
    got = json.loads(result.stdout)
    assert "had lost digits" not in got["data"]["file"], got["data"]["file"]
    assert_same_analysis(got, csv_result)
    # The server saw the cells query and Lin's second query (its fits as literals), and no refinement.
    queries = logged_queries(pg, since)
    assert len(queries) == 2, queries
    log = open(os.path.join(pg.root, "log"), encoding="utf-8", errors="replace").read()[since:]
    assert "cell_constants" not in log and "lin_fit" in log


def test_a_result_saved_without_the_constant_handling_still_warns_and_refines(setup, lite):
    """A saved result whose constant cells were summed about the query's K (as strata sql wrote it before): its
    analysis warns naming them, and --refine prints the query that sums them again (which this one then is)."""
    work, definition, rows, csv_result = setup
    columns, result = cursor_runner(lite)(sql(definition, "sqlite", "units"))
    got = records(columns, result)
    k = float(got[("control", "a")]["revenue_shift"])
    old = []
    for row in result:
        record = dict(zip(columns, row))
        cell = (record["variant"], record["segment"])
        if cell in {("control", "b"), ("treatment", "c")}:
            values = [0.0 if r["revenue"] is None else r["revenue"] for r in rows
                      if (r["variant"], r["segment"]) == cell]
            before = [r["revenue_before"] for r in rows if (r["variant"], r["segment"]) == cell]
            record["revenue_shift"] = k
            record["revenue_sum"] = sum(v - k for v in values)
            record["revenue_sum_sq"] = sum((v - k) * (v - k) for v in values)
            kb = float(record["revenue_before_shift"])
            record["revenue_x_revenue_before_sum"] = sum((v - k) * (b - kb) for v, b in zip(values, before))
        old.append([record[c] for c in columns])
    cells = write_cells(columns, old, work / "old-cells.csv")
    second = sql(definition, "sqlite", "units", "--regression-cells", str(cells))
    sums = write_cells(*cursor_runner(lite)(second), work / "old-sums.csv")
    analysed = strata("analyze", "--experiment", str(definition), "--data", str(cells), "--regression-sums",
                      str(sums), "--json", "--no-look-log")
    assert "strata: warning: 2 columns' sums in 2 cells about their shift K kept fewer than 10" in analysed.stderr, \
        analysed.stderr
    for cell in ["variant control, segment b, revenue", "variant treatment, segment c, revenue"]:
        assert cell in analysed.stderr
    assert f"--refine {cells}" in analysed.stderr
    refined = strata("sql", "--experiment", str(definition), "--dialect", "sqlite", "--table", "units", "--refine",
                     str(cells))
    assert "strata: note: 2 cells had lost digits: summed again about each cell's own mean" in refined.stderr
    columns, again = cursor_runner(lite)(refined.stdout)
    check_constant_cells(columns, again, one_k=False)
    assert_same_analysis(analyze_result(work, definition, "sqlite", "units", "refined", cursor_runner(lite), columns, again),
                         csv_result)


@pytest.fixture(scope="module")
def spark(setup):
    from pyspark.sql import SparkSession
    from pyspark.sql import types as T

    _, _, rows, _ = setup
    session = (SparkSession.builder.master("local[2]").appName("strata-constant-cells")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4")
               .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    text, double, integer, time = T.StringType(), T.DoubleType(), T.IntegerType(), T.TimestampNTZType()
    kinds = {"member_id": text, "variant": text, "segment": text, "converted": integer}
    units = T.StructType([T.StructField(c, kinds.get(c, double)) for c in data.COLUMNS])
    session.createDataFrame(data.unit_tuples(rows), units).createOrReplaceTempView("cc_units")
    exposures, events = data.events(rows)
    session.createDataFrame(exposures, T.StructType([
        T.StructField(n, t) for n, t in [("unit_id", text), ("experiment_id", text), ("variant", text),
                                         ("segment", text), ("exposed_at", time), ("definition_hash", text)]
    ])).createOrReplaceTempView("cc_exposures")
    session.createDataFrame(events, T.StructType([
        T.StructField(n, t) for n, t in [("unit_id", text), ("metric", text), ("value", double), ("occurred_at", time)]
    ])).createOrReplaceTempView("cc_events")
    yield session
    session.stop()


@pytest.mark.parametrize("shape", ["units", "events"])
def test_spark_constant_cells_are_exact_in_the_first_query(setup, spark, shape):
    shapes = {"units": ("--table", "cc_units"), "events": ("--exposures", "cc_exposures", "--events", "cc_events")}

    def run(text):
        result = spark.sql(text)
        return result.columns, [tuple(row) for row in result.collect()]

    check_engine(setup, "spark", shape, run, shapes=shapes)
