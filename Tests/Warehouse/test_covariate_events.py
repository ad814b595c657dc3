"""CUPED covariates from event-level data: the event-level query of every dialect reads a covariate as the
unit's events named as its column before the first exposure (over the metric's window), and its cells, saved
as CSV, give the analysis of the unit-level CSV of the same units, number for number (covariate_data.py).
DuckDB and SQLite execute their own dialect; trino, bigquery, snowflake and clickhouse are parsed by sqlglot
in their own dialect and transpiled to DuckDB. PostgreSQL and Spark: test_postgres.py, test_spark.py."""
import sqlite3

import duckdb
import pytest
import sqlglot

import covariate_data as cov
from conftest import analysis, assert_same_analysis, query, strata, write_cells
from test_sqlite import stored_time

EVENT_TABLES = {"exposures": "cov_exposures", "events": "cov_events"}
EXPOSURES_DDL = ("CREATE TABLE cov_exposures (unit_id {text}, experiment_id {text}, variant {text}, segment {text}, "
                 "exposed_at {time}, definition_hash {text})")
EVENTS_DDL = 'CREATE TABLE cov_events (unit_id {text}, metric {text}, "value" {double}, occurred_at {time})'


def load(con, cov_events, text, double, time, convert_time=lambda t: t):
    con.execute(EXPOSURES_DDL.format(text=text, time=time))
    con.execute(EVENTS_DDL.format(text=text, double=double, time=time))
    exposures, events = cov_events
    con.executemany("INSERT INTO cov_exposures VALUES (?, ?, ?, ?, ?, ?)",
                    [row[:4] + (convert_time(row[4]), row[5]) for row in exposures])
    con.executemany("INSERT INTO cov_events VALUES (?, ?, ?, ?)",
                    [row[:3] + (convert_time(row[3]),) for row in events])


@pytest.fixture(scope="module")
def duck(cov_events):
    con = duckdb.connect()
    load(con, cov_events, "VARCHAR", "DOUBLE", "TIMESTAMP")
    return con


def check(columns, rows, cov_units, cov_definition, cov_csv_analysis, path):
    cov.check_cells(columns, rows, cov_units)
    cells = write_cells(columns, rows, path)
    assert_same_analysis(analysis(cov_definition, cells), cov_csv_analysis)


def test_duckdb_covariates_from_events_match_the_unit_level_csv(duck, cov_definition, cov_units, cov_csv_analysis,
                                                                 workdir):
    result = duck.execute(query(cov_definition, "duckdb", **EVENT_TABLES))
    columns, rows = [d[0] for d in result.description], result.fetchall()
    check(columns, rows, cov_units, cov_definition, cov_csv_analysis, workdir / "cov-duckdb.csv")


def test_sqlite_covariates_from_events_match_the_unit_level_csv(cov_events, cov_definition, cov_units,
                                                                cov_csv_analysis, workdir):
    """Times stored as the service stores them (UTC text), as in the service's embedded store."""
    con = sqlite3.connect(":memory:")
    load(con, cov_events, "TEXT", "REAL", "TIMESTAMP", stored_time)
    result = con.execute(query(cov_definition, "sqlite", **EVENT_TABLES))
    columns, rows = [d[0] for d in result.description], result.fetchall()
    check(columns, rows, cov_units, cov_definition, cov_csv_analysis, workdir / "cov-sqlite.csv")


@pytest.mark.parametrize("dialect", ["trino", "bigquery", "snowflake", "clickhouse"])
def test_other_dialects_covariates_from_events(duck, cov_definition, cov_units, cov_csv_analysis, workdir, dialect):
    sql = query(cov_definition, dialect, **EVENT_TABLES)
    assert len(sqlglot.parse(sql, read=dialect, error_level=sqlglot.ErrorLevel.RAISE)) == 1
    transpiled = sqlglot.transpile(sql, read=dialect, write="duckdb", error_level=sqlglot.ErrorLevel.RAISE)[0]
    result = duck.execute(transpiled)
    columns, rows = [d[0] for d in result.description], result.fetchall()
    check(columns, rows, cov_units, cov_definition, cov_csv_analysis, workdir / f"cov-{dialect}.csv")


def gap(cov_units):
    """A unit with history whose pre-period visits are removed: `ordered` has its value, `visits_before_all`
    (missing: exclude) none. Returns the unit and the unit rows with that value empty."""
    unit = next(r for r in cov_units if r["visits_before_all"] is not None and r["ordered"] is not None)
    return unit, [dict(r, visits_before_all=None) if r is unit else r for r in cov_units]


def test_a_covariate_without_history_gives_the_unit_level_cells(duck, cov_definition, cov_units, workdir):
    """missing: exclude on a covariate: a unit with the metric's value but no event before exposure makes the
    cell's counts disagree. The query's cells are still the unit-level CSV's (the pair's own units and sums,
    `<a>_x_<b>_n`, `_sum_a`, `_sum_b`, exact), so `analyze --database` stops as `analyze` of that unit-level CSV
    does (test_postgres_database.py); saved as aggregated CSV, whose sums cannot give the pair over different
    units, `analyze --data` stops with one sentence naming file, line and field (never a silently dropped cell)."""
    unit, units = gap(cov_units)
    duck.execute("CREATE TABLE cov_events_gap AS SELECT * FROM cov_events "
                 f"WHERE NOT (metric = 'visits_before_all' AND unit_id = '{unit['customer_id']}')")
    sql = query(cov_definition, "duckdb", exposures="cov_exposures", events="cov_events_gap")
    result = duck.execute(sql)
    columns, rows = [d[0] for d in result.description], result.fetchall()
    cov.check_cells(columns, rows, units)
    records = [dict(zip(columns, row)) for row in rows]
    line = 2 + next(i for i, r in enumerate(records) if (r["variant"], r["segment"]) == (unit["variant"],
                                                                                            unit["segment"]))
    record = records[line - 2]
    assert int(record["ordered_n"]) == int(record["visits_before_all_n"]) + 1
    assert int(record["ordered_x_visits_before_all_n"]) == int(record["visits_before_all_n"])
    # The reference: the unit-level CSV of the same units stops with the analysis' sentence naming the metric.
    path = workdir / "cov-gap-units.csv"
    cov.write_csv(units, path)
    reference = strata("analyze", "--experiment", str(cov_definition), "--data", str(path), "--no-look-log",
                       check=False)
    assert reference.returncode == 1, reference.stdout
    assert "ordered" in reference.stderr and "same units" in reference.stderr, reference.stderr
    cells = write_cells(columns, rows, workdir / "cov-gap.csv")
    saved = strata("analyze", "--experiment", str(cov_definition), "--data", str(cells), "--no-look-log",
                   check=False)
    assert saved.returncode == 1 and saved.stdout == "", saved.stdout
    assert len(saved.stderr.strip().splitlines()) == 1, saved.stderr
    assert f"{cells}:{line}: ordered_x_visits_before_all_sum: " in saved.stderr, saved.stderr
    assert "values of ordered but" in saved.stderr and "missing: zero" in saved.stderr, saved.stderr
