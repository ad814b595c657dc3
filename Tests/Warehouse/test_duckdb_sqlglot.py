"""DuckDB executes the duckdb dialect; sqlglot parses trino, bigquery, snowflake and clickhouse output in
its own dialect, and the same SQL transpiled to DuckDB returns the same cells."""
import duckdb
import pytest
import sqlglot

import engines
import warehouse_data as data
from conftest import (PAIR_ARGS, analysis, assert_same_analysis, check_cells, check_cross_products, query,
                      write_cells)

OTHER_DIALECTS = ["trino", "bigquery", "snowflake", "clickhouse"]


@pytest.fixture(scope="module")
def con(unit_rows, event_rows):
    con = duckdb.connect()
    for statement in engines.ddl('"', "VARCHAR", "DOUBLE", "INTEGER", "TIMESTAMP"):
        con.execute(statement)
    con.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?, ?)", engines.unit_tuples(unit_rows))
    exposures, events = event_rows
    con.executemany("INSERT INTO exposures VALUES (?, ?, ?, ?, ?, ?)", exposures)
    con.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", events)
    return con


def run(con, sql):
    result = con.execute(sql)
    return [d[0] for d in result.description], result.fetchall()


@pytest.mark.parametrize("shape", ["units", "events"])
def test_duckdb_cells_and_analysis_match_the_csv_path(con, definition, unit_rows, csv_analysis, workdir, shape):
    sql = query(definition, "duckdb", table="units") if shape == "units" else \
        query(definition, "duckdb", exposures="exposures", events="events")
    columns, rows = run(con, sql)
    check_cells(columns, rows, data.expected_cells(unit_rows),
                excluded=data.MULTIPLE_VARIANT_UNITS if shape == "events" else None,
                dropped=None if shape == "events" else data.account(unit_rows)[1])
    cells = write_cells(columns, rows, workdir / f"duckdb-{shape}.csv")
    assert_same_analysis(analysis(definition, cells), csv_analysis)


def test_duckdb_native_csv_export_is_analyze_input(con, definition, csv_analysis, workdir):
    """The result saved by DuckDB's own COPY ... TO (what a user runs) is read unchanged."""
    path = workdir / "duckdb-copy.csv"
    con.execute(f"COPY ({query(definition, 'duckdb', table='units')}) TO '{path}' (HEADER)")
    assert_same_analysis(analysis(definition, path), csv_analysis)


def test_partition_results_merge_to_the_whole(con, definition, csv_analysis, workdir):
    """Each half of the table queried on its own (different shift constants); the two results merged by
    concatenation (rows of a cell add up) give the analysis of the whole."""
    con.execute("CREATE VIEW first_half AS SELECT * FROM units WHERE member_id < 'm01500'")
    con.execute("CREATE VIEW second_half AS SELECT * FROM units WHERE member_id >= 'm01500' OR member_id IS NULL")
    rows = []
    for table in ["first_half", "second_half"]:
        columns, part = run(con, query(definition, "duckdb", table=table))
        rows += part
    cells = write_cells(columns, rows, workdir / "duckdb-parts.csv")
    assert_same_analysis(analysis(definition, cells), csv_analysis)


@pytest.mark.parametrize("dialect", OTHER_DIALECTS)
@pytest.mark.parametrize("shape", ["units", "events"])
def test_other_dialects_parse_and_transpile_to_the_same_cells(con, definition, unit_rows, dialect, shape):
    sql = query(definition, dialect, table="units") if shape == "units" else \
        query(definition, dialect, exposures="exposures", events="events")
    parsed = sqlglot.parse(sql, read=dialect, error_level=sqlglot.ErrorLevel.RAISE)
    assert len(parsed) == 1, "one statement, nothing injected"
    transpiled = sqlglot.transpile(sql, read=dialect, write="duckdb", error_level=sqlglot.ErrorLevel.RAISE)[0]
    columns, rows = run(con, transpiled)
    check_cells(columns, rows, data.expected_cells(unit_rows),
                excluded=data.MULTIPLE_VARIANT_UNITS if shape == "events" else None,
                dropped=None if shape == "events" else data.account(unit_rows)[1])
    reference = query(definition, "duckdb", table="units") if shape == "units" else \
        query(definition, "duckdb", exposures="exposures", events="events")
    ref_columns, ref_rows = run(con, reference)
    assert columns == ref_columns
    assert [row[:3] for row in rows] == [row[:3] for row in ref_rows]


@pytest.mark.parametrize("dialect", ["duckdb"] + OTHER_DIALECTS)
def test_a_quoted_hostile_looking_name_stays_one_identifier(definition, dialect):
    """The metric column `basket value (EUR); --` is quoted: the query is still one statement that
    reads that column, in every dialect's own parser."""
    sql = query(definition, dialect, table="units")
    statements = sqlglot.parse(sql, read=dialect if dialect != "duckdb" else "duckdb")
    assert len(statements) == 1
    columns = {c.name for c in statements[0].find_all(sqlglot.exp.Column)}
    assert data.BASKET in columns


@pytest.mark.parametrize("dialect", ["duckdb"] + OTHER_DIALECTS)
@pytest.mark.parametrize("shape", ["units", "events"])
def test_cross_products_in_every_dialect(con, definition, unit_rows, dialect, shape):
    """`--cross-product` columns: DuckDB runs its own dialect, the others transpiled to it; every value
    is the exact Σ(a − Kₐ)(b − K_b), and the cells are unchanged by the extra columns."""
    tables = {"table": "units"} if shape == "units" else {"exposures": "exposures", "events": "events"}
    sql = query(definition, dialect, extra=PAIR_ARGS, **tables)
    if dialect != "duckdb":
        sql = sqlglot.transpile(sql, read=dialect, write="duckdb", error_level=sqlglot.ErrorLevel.RAISE)[0]
    columns, rows = run(con, sql)
    check_cells(columns, rows, data.expected_cells(unit_rows))
    check_cross_products(columns, rows, unit_rows)


def test_duplicate_check_can_be_switched_off(con, definition, unit_rows):
    """--no-duplicate-check: no window over unit ids, the repeated row counts, nothing else changes."""
    columns, rows = run(con, query(definition, "duckdb", table="units", extra=["--no-duplicate-check"]))
    assert "dropped_duplicate_unit" not in columns
    total = sum(int(dict(zip(columns, r))["n"]) for r in rows if r[0] in data.VARIANTS and r[1] in data.SEGMENTS)
    assert total == len(data.valid(unit_rows)) + data.account(unit_rows)[1]["duplicate_unit"]


def test_ratio_and_covariate_example_from_duckdb(workdir):
    """experiments/basket-bundle.yaml (a ratio metric with a ratio covariate, a CUPED-adjusted mean): the
    query carries every column once and the cross-products by itself; its result, saved as CSV, gives the
    analysis of the unit-level file."""
    from conftest import ROOT, strata
    definition = ROOT / "experiments" / "basket-bundle.yaml"
    units = ROOT / "experiments" / "data" / "basket-bundle.csv"
    con = duckdb.connect()
    con.execute(f"CREATE VIEW customers AS SELECT * FROM read_csv('{units}', header = true)")
    sql = strata("sql", "--experiment", str(definition), "--dialect", "duckdb", "--table", "customers").stdout
    columns, rows = run(con, sql)
    assert "revenue_x_orders_sum" in columns and "revenue_before_x_orders_before_sum" in columns
    assert columns.count("revenue_sum") == 1
    cells = write_cells(columns, rows, workdir / "duckdb-basket.csv")
    got, want = analysis(definition, cells), analysis(definition, units)
    assert any(r["adjustment"] for r in want["results"])
    assert_same_analysis(got, want)
