"""PostgreSQL 15 executes the postgres dialect, both shapes, and `psql --csv` saves what analyze reads."""
import csv
import io

import pytest

import covariate_data
import engines
import warehouse_data as data
from conftest import PAIR_ARGS, analysis, assert_same_analysis, check_cells, check_cross_products, query
from postgres_cluster import Cluster


@pytest.fixture(scope="module")
def pg(workdir, unit_rows, event_rows, unit_csv):
    cluster = Cluster().start()
    try:
        for statement in engines.ddl('"', "TEXT", "DOUBLE PRECISION", "INTEGER", "TIMESTAMP"):
            cluster.psql("-c", statement)
        exposures, events = event_rows
        for name, rows in [("exposures", exposures), ("events", events)]:
            text = io.StringIO()
            csv.writer(text).writerows(rows)
            cluster.psql("-c", f"\\copy {name} FROM STDIN WITH (FORMAT csv)", input=text.getvalue())
        cluster.psql("-c", "\\copy units FROM STDIN WITH (FORMAT csv, HEADER true)", input=unit_csv.read_text())
        cluster.psql("-c", "ANALYZE")  # fresh tables have no statistics until autovacuum runs
        yield cluster
    finally:
        cluster.stop()


@pytest.mark.parametrize("shape", ["units", "events"])
def test_postgres_cells_and_analysis_match_the_csv_path(pg, definition, unit_rows, csv_analysis, workdir, shape):
    sql = query(definition, "postgres", table="public.units") if shape == "units" else \
        query(definition, "postgres", exposures="exposures", events="events")
    output = pg.psql("--csv", "-c", sql).stdout  # what a user runs: psql --csv -f query.sql > cells.csv
    path = workdir / f"postgres-{shape}.csv"
    path.write_text(output)
    records = list(csv.reader(io.StringIO(output)))
    check_cells(records[0], records[1:], data.expected_cells(unit_rows),
                excluded=data.MULTIPLE_VARIANT_UNITS if shape == "events" else None,
                dropped=None if shape == "events" else data.account(unit_rows)[1])
    assert_same_analysis(analysis(definition, path), csv_analysis)


@pytest.mark.parametrize("shape", ["units", "events"])
def test_postgres_cross_products(pg, definition, unit_rows, shape):
    tables = {"table": "units"} if shape == "units" else {"exposures": "exposures", "events": "events"}
    output = pg.psql("--csv", "-c", query(definition, "postgres", extra=PAIR_ARGS, **tables)).stdout
    records = list(csv.reader(io.StringIO(output)))
    check_cells(records[0], records[1:], data.expected_cells(unit_rows))
    check_cross_products(records[0], records[1:], unit_rows)


def test_postgres_covariates_from_events(pg, cov_definition, cov_units, cov_events, cov_csv_analysis, workdir):
    """CUPED covariates from the events before exposure (covariate_data.py): `psql --csv` of the event-level
    query gives the unit-level CSV's analysis."""
    from test_covariate_events import EVENTS_DDL, EVENT_TABLES, EXPOSURES_DDL
    pg.psql("-c", EXPOSURES_DDL.format(text="TEXT", time="TIMESTAMP"))
    pg.psql("-c", EVENTS_DDL.format(text="TEXT", double="DOUBLE PRECISION", time="TIMESTAMP"))
    for name, rows in zip(["cov_exposures", "cov_events"], cov_events):
        text = io.StringIO()
        csv.writer(text).writerows(rows)
        pg.psql("-c", f"\\copy {name} FROM STDIN WITH (FORMAT csv)", input=text.getvalue())
    output = pg.psql("--csv", "-c", query(cov_definition, "postgres", **EVENT_TABLES)).stdout
    records = list(csv.reader(io.StringIO(output)))
    path = workdir / "cov-postgres.csv"
    path.write_text(output)
    covariate_data.check_cells(records[0], records[1:], cov_units)
    assert_same_analysis(analysis(cov_definition, path), cov_csv_analysis)
