"""SQLite (Python's sqlite3, the same library the service's embedded store uses) executes the sqlite dialect
over both shapes and returns the same cells as the CSV path. Times are stored as the service stores them:
UTC text `YYYY-MM-DD HH:MM:SS.SSS`."""
import sqlite3

import pytest

import engines
import warehouse_data as data
from conftest import analysis, assert_same_analysis, check_cells, query, write_cells


def stored_time(value):
    return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"


@pytest.fixture(scope="module")
def con(unit_rows, event_rows):
    con = sqlite3.connect(":memory:")
    for statement in engines.ddl('"', "TEXT", "REAL", "INTEGER", "TIMESTAMP"):
        con.execute(statement)
    con.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?, ?)", engines.unit_tuples(unit_rows))
    exposures, events = event_rows
    con.executemany("INSERT INTO exposures VALUES (?, ?, ?, ?, ?, ?)",
                    [row[:4] + (stored_time(row[4]), row[5]) for row in exposures])
    con.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", [row[:3] + (stored_time(row[3]),) for row in events])
    return con


@pytest.mark.parametrize("shape", ["units", "events"])
def test_sqlite_cells_and_analysis_match_the_csv_path(con, definition, unit_rows, csv_analysis, workdir, shape):
    sql = query(definition, "sqlite", table="units") if shape == "units" else \
        query(definition, "sqlite", exposures="exposures", events="events")
    result = con.execute(sql)
    columns, rows = [d[0] for d in result.description], result.fetchall()
    check_cells(columns, rows, data.expected_cells(unit_rows),
                excluded=data.MULTIPLE_VARIANT_UNITS if shape == "events" else None,
                dropped=None if shape == "events" else data.account(unit_rows)[1])
    cells = write_cells(columns, rows, workdir / f"sqlite-{shape}.csv")
    assert_same_analysis(analysis(definition, cells), csv_analysis)
