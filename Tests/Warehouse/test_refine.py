"""A first value of 1e12 picked as every cell's shift (review F4, refine_data.py): the first query's cells lose
their variances' digits (but for the constant cells, which the first query gives their value as K and sums of 0),
`analyze --data` of them warns and names the cells, `strata sql --refine` prints the query
that sums them again about their own means, and its result (and `analyze --database`, which runs it by itself)
gives the unit-level CSV's analysis: on SQLite, DuckDB (and trino, bigquery, snowflake, clickhouse through sqlglot)
and PostgreSQL, both shapes."""
import csv
import io
import json
import os
import sqlite3
import subprocess

import duckdb
import pytest
import sqlglot

import refine_data as data
from conftest import STRATA, analysis, assert_same_analysis, cursor_runner, strata, write_cells
from postgres_cluster import Cluster

SHAPES = {"units": ("--table", "units"), "events": ("--exposures", "exposures", "--events", "events")}
OTHER_DIALECTS = ["trino", "bigquery", "snowflake", "clickhouse"]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    work = tmp_path_factory.mktemp("refine")
    definition = work / "refine.yaml"
    definition.write_text(data.DEFINITION)
    rows = data.units()
    unit_csv = data.write_csv(rows, work / "units.csv")
    return work, definition, rows, analysis(definition, unit_csv)


def sql(definition, dialect, shape, *extra):
    return strata("sql", "--experiment", str(definition), "--dialect", dialect, *SHAPES[shape], *extra).stdout


def analyze_cells(definition, path):
    result = strata("analyze", "--experiment", str(definition), "--data", str(path), "--json", "--no-look-log")
    return json.loads(result.stdout), result.stderr


def records(columns, rows):
    return {(r["variant"], r["segment"]): r for r in (dict(zip(columns, row)) for row in rows)}


def refine_and_check(work, definition, csv_result, name, dialect, shape, run):
    """The first query, its warning, --refine, the refined query's cells and analysis; returns the refined SQL."""
    columns, rows = run(sql(definition, dialect, shape))
    first = records(columns, rows)
    # The constant cells are exact already (their value as K, sums 0); the others are summed about the 1e12.
    constants = {("control", "b"): 0.0, ("control", "c"): 299.99}
    for cell, value in constants.items():
        record = first[cell]
        assert (float(record["revenue_shift"]), float(record["revenue_sum"]), float(record["revenue_sum_sq"]),
                float(record["revenue_x_revenue_before_sum"])) == (value, 0, 0, 0), cell
    assert {float(r["revenue_shift"]) for c, r in first.items() if c not in constants} == {data.FAR}, \
        "the 1e12 unit is the first value"
    cells = write_cells(columns, rows, work / f"{name}-{shape}-first.csv")
    got, stderr = analyze_cells(definition, cells)
    assert "strata: warning: 3 columns' sums in 3 cells about their shift K kept fewer than 10" in stderr, stderr
    for cell in ["variant treatment, segment a, revenue", "variant treatment, segment b, revenue",
                 "variant treatment, segment c, revenue"]:
        assert cell in stderr
    assert "variant control" not in stderr  # its constant cells are exact; (control, a) holds the 1e12 itself
    assert f"--refine {cells}" in stderr
    with pytest.raises(AssertionError):  # what the one K did: the cells' analysis is not the CSV's
        assert_same_analysis(got, csv_result)
    refined = strata("sql", "--experiment", str(definition), "--dialect", dialect, *SHAPES[shape],
                     "--refine", str(cells))
    assert "strata: note: 3 cells had lost digits: summed again about each cell's own mean" in refined.stderr, \
        refined.stderr
    columns, rows = run(refined.stdout)
    second = records(columns, rows)
    for record in second.values():  # every cell about its own mean: Σ(x − K) ≈ 0
        assert abs(float(record["revenue_sum"])) <= 1e-9 * int(record["revenue_n"]) * abs(float(record["revenue_shift"]))
    constant = second[("control", "c")]
    assert (float(constant["revenue_shift"]), float(constant["revenue_sum"]), float(constant["revenue_sum_sq"])) \
        == (299.99, 0.0, 0.0)
    zeros = second[("control", "b")]
    assert (float(zeros["revenue_shift"]), float(zeros["revenue_sum"]), float(zeros["revenue_sum_sq"])) == (0, 0, 0)
    cells = write_cells(columns, rows, work / f"{name}-{shape}-refined.csv")
    got, stderr = analyze_cells(definition, cells)
    assert "warning" not in stderr, stderr
    assert_same_analysis(got, csv_result)
    again = strata("sql", "--experiment", str(definition), "--dialect", dialect, *SHAPES[shape], "--refine",
                   str(cells))
    assert again.stdout == "" and "no cell of" in again.stderr
    return refined.stdout


def sqlite_time(value):
    return value.strftime("%Y-%m-%d %H:%M:%S.") + f"{value.microsecond // 1000:03d}"


@pytest.mark.parametrize("shape", ["units", "events"])
def test_sqlite_refinement_gives_the_csv_analysis(setup, shape):
    work, definition, rows, csv_result = setup
    con = sqlite3.connect(":memory:")
    for statement in data.ddl("TEXT", "REAL", "INTEGER", "TEXT"):
        con.execute(statement)
    con.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?, ?)", data.unit_tuples(rows))
    exposures, events = data.events(rows)
    con.executemany("INSERT INTO exposures VALUES (?, ?, ?, ?, ?, ?)",
                    [row[:4] + (sqlite_time(row[4]), row[5]) for row in exposures])
    con.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", [row[:3] + (sqlite_time(row[3]),) for row in events])

    def run(text):
        result = con.execute(text)
        return [d[0] for d in result.description], result.fetchall()

    refine_and_check(work, definition, csv_result, "sqlite", "sqlite", shape, run)


@pytest.fixture(scope="module")
def duck(setup):
    _, _, rows, _ = setup
    con = duckdb.connect()
    con.execute("SET threads TO 1")  # LIMIT 1 then reads the rows in the order inserted: the 1e12 one first
    for statement in data.ddl("VARCHAR", "DOUBLE", "INTEGER", "TIMESTAMP"):
        con.execute(statement)
    con.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?, ?)", data.unit_tuples(rows))
    exposures, events = data.events(rows)
    con.executemany("INSERT INTO exposures VALUES (?, ?, ?, ?, ?, ?)", exposures)
    con.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", events)
    return con


@pytest.mark.parametrize("shape", ["units", "events"])
def test_duckdb_and_sqlglot_dialects_refine_to_the_csv_analysis(setup, duck, shape):
    work, definition, _, csv_result = setup
    refine_and_check(work, definition, csv_result, "duckdb", "duckdb", shape, cursor_runner(duck))
    first = write_cells(*cursor_runner(duck)(sql(definition, "duckdb", shape)), work / f"duckdb-{shape}-again.csv")
    reference = cursor_runner(duck)(sql(definition, "duckdb", shape, "--refine", str(first)))
    for dialect in OTHER_DIALECTS:
        text = sql(definition, dialect, shape, "--refine", str(first))
        assert "cell_constants" in text
        parsed = sqlglot.parse(text, read=dialect, error_level=sqlglot.ErrorLevel.RAISE)
        assert len(parsed) == 1, "one statement"
        transpiled = sqlglot.transpile(text, read=dialect, write="duckdb", error_level=sqlglot.ErrorLevel.RAISE)[0]
        columns, rows = cursor_runner(duck)(transpiled)
        assert (columns, rows) == reference, dialect


@pytest.fixture(scope="module")
def pg(setup):
    _, _, rows, _ = setup
    cluster = Cluster().start()
    try:
        yield cluster.load_experiment_tables(data, rows)
    finally:
        cluster.stop()


@pytest.mark.parametrize("shape", ["units", "events"])
def test_postgres_psql_refinement_and_analyze_database_give_the_csv_analysis(setup, pg, shape):
    work, definition, _, csv_result = setup

    def run(text):
        output = list(csv.reader(io.StringIO(pg.psql("--csv", "-c", text).stdout)))
        return output[0], output[1:]

    refine_and_check(work, definition, csv_result, "postgres", "postgres", shape, run)
    url = f"postgresql://postgres@127.0.0.1:{pg.port}/postgres"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    result = subprocess.run([STRATA, "analyze", "--experiment", str(definition), "--database", url,
                             *SHAPES[shape], "--json", "--no-look-log"], capture_output=True, text=True, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert "strata: note: 3 cells had lost digits: summed again about each cell's own mean (a second query" \
        in result.stderr
    assert "warning" not in result.stderr, result.stderr
    got = json.loads(result.stdout)
    assert ", 3 cells had lost digits: summed again about each cell's own mean (query " in got["data"]["file"]
    assert_same_analysis(got, csv_result)


def test_sqlite_refines_more_cells_than_one_compound_select_holds(tmp_path):
    """521 doubtful cells (261 segments × 2 variants; SQLite allows 500 terms in one UNION ALL, a list of literal rows
    failed): the refinement's text does not grow with the cells, and its result gives the unit-level CSV's analysis."""
    segments = [f"s{i:03d}" for i in range(261)]
    rules = "".join(f"  - name: {name}\n    rule: visits >= {300 - i}\n" for i, name in enumerate(segments[:-1]))
    definition = tmp_path / "many.yaml"
    definition.write_text(f"""id: wh-refine-many
name: Many far cells
unit: member_id
variants:
  - key: control
  - key: treatment
segments:
{rules}  - name: {segments[-1]}
metrics:
  - name: revenue
    kind: continuous
    role: primary
    missing: exclude
plan:
  alpha: 0.05
  power: 0.8
  mde: 5
""")
    rows = []
    for index in range(len(segments) * 2 * 3):
        variant, segment = data.VARIANTS[index % 2], segments[(index // 2) % len(segments)]
        revenue = data.FAR if index == 0 else 250 + (index * 37 % 356) / 4
        rows.append((f"m{index:05d}", variant, segment, revenue))
    path = tmp_path / "units.csv"
    path.write_text("member_id,variant,segment,revenue\n" +
                    "".join(f"{u},{v},{s},{r!r}\n" for u, v, s, r in rows))
    expected = analysis(definition, path)
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE units (member_id TEXT, variant TEXT, segment TEXT, revenue REAL)")
    con.executemany("INSERT INTO units VALUES (?, ?, ?, ?)", rows)

    def run(text):
        result = con.execute(text)
        return [d[0] for d in result.description], result.fetchall()

    first = write_cells(*run(sql(definition, "sqlite", "units")), tmp_path / "first.csv")
    refined = strata("sql", "--experiment", str(definition), "--dialect", "sqlite", "--table", "units",
                     "--refine", str(first))
    assert "strata: note: 521 cells had lost digits" in refined.stderr, refined.stderr
    assert "AVG(m0) AS k0" in refined.stdout and len(refined.stdout) < 2 * len(sql(definition, "sqlite", "units"))
    cells = write_cells(*run(refined.stdout), tmp_path / "refined.csv")
    got, stderr = analyze_cells(definition, cells)
    assert "warning" not in stderr, stderr
    assert_same_analysis(got, expected)
