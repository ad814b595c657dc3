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
from conftest import analysis, assert_same_analysis, query, write_cells
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


def test_a_covariate_without_history_is_a_refused_cell(duck, cov_definition, cov_units, workdir):
    """missing: exclude on a covariate: a unit with the metric's value but no event before exposure makes the
    cell's counts disagree; analyze refuses that cell as it refuses such an aggregated row, with a sentence
    naming both columns in the data account (nothing imputed)."""
    unit = next(r for r in cov_units if r["visits_before_all"] is not None)
    duck.execute("CREATE TABLE cov_events_gap AS SELECT * FROM cov_events "
                 f"WHERE NOT (metric = 'visits_before_all' AND unit_id = '{unit['customer_id']}')")
    sql = query(cov_definition, "duckdb", exposures="cov_exposures", events="cov_events_gap")
    result = duck.execute(sql)
    cells = write_cells([d[0] for d in result.description], result.fetchall(), workdir / "cov-gap.csv")
    data = analysis(cov_definition, cells)["data"]
    assert data["rows_dropped"] == 1, data
    assert "values of ordered but" in data["issues"][0]["first_example"], data["issues"]
    assert "of visits_before_all" in data["issues"][0]["first_example"], data["issues"]
    assert next(u["units"] for u in data["units"]
                if (u["variant"], u["segment"]) == (unit["variant"], unit["segment"])) == 0
