"""Shared helpers of the warehouse tests: the strata binary, the data, cell checks, analysis comparison."""
import csv
import json
import math
import os
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

import covariate_data
import warehouse_data as data

ROOT = Path(__file__).resolve().parents[2]
STRATA = os.environ.get("STRATA", str(ROOT / ".build" / "debug" / "strata"))


def strata(*args, check=True):
    result = subprocess.run([STRATA, *args], capture_output=True, text=True)
    if check and result.returncode != 0:
        raise AssertionError(f"strata {' '.join(args)} exited {result.returncode}: {result.stderr}")
    return result


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("warehouse")


@pytest.fixture(scope="session")
def definition(workdir):
    path = workdir / "experiment.yaml"
    path.write_text(data.DEFINITION)
    return path


@pytest.fixture(scope="session")
def unit_rows():
    return data.units()


@pytest.fixture(scope="session")
def unit_csv(workdir, unit_rows):
    path = workdir / "units.csv"
    data.write_csv(unit_rows, path)
    return path


@pytest.fixture(scope="session")
def event_rows(unit_rows):
    return data.events(unit_rows)


@pytest.fixture(scope="session")
def csv_analysis(definition, unit_csv):
    return analysis(definition, unit_csv)


@pytest.fixture(scope="session")
def cov_definition(workdir):
    """A definition with CUPED covariates (covariate_data.py): ratio, continuous and 0/1 metrics."""
    path = workdir / "covariates.yaml"
    path.write_text(covariate_data.DEFINITION)
    return path


@pytest.fixture(scope="session")
def cov_units():
    return covariate_data.units()


@pytest.fixture(scope="session")
def cov_events(cov_units):
    return covariate_data.events(cov_units)


@pytest.fixture(scope="session")
def cov_csv_analysis(workdir, cov_definition, cov_units):
    path = workdir / "covariate-units.csv"
    covariate_data.write_csv(cov_units, path)
    result = analysis(cov_definition, path)
    assert all(r["adjustment"] for r in result["results"] if r["metric"] != "basket"), "CUPED in every result"
    return result


def query(definition, dialect, *, table=None, exposures=None, events=None, extra=()):
    args = ["sql", "--experiment", str(definition), "--dialect", dialect, *extra]
    args += ["--table", table] if table else ["--exposures", exposures, "--events", events]
    return strata(*args).stdout


# Cross-products every engine computes in test_*_cross_products (metric names, as --cross-product takes).
PAIRS = [("converted", "basket"), ("revenue", "basket")]
PAIR_ARGS = [arg for a, b in PAIRS for arg in ("--cross-product", f"{a},{b}")]


def check_cross_products(columns, rows, unit_rows):
    """Each <a>_x_<b>_sum equals Σ(a − Kₐ)(b − K_b) over the cell's units with both values (exact
    Fractions, the result's own shift constants), within 1e-12 of Σ|a − Kₐ||b − K_b|."""
    metrics = {name: (column, kind, missing) for name, column, kind, missing in data.METRICS}
    records = {(r["variant"], r["segment"]): r for r in (dict(zip(columns, row)) for row in rows)}
    checked = 0
    for a, b in PAIRS:
        (col_a, kind_a, miss_a), (col_b, kind_b, miss_b) = metrics[a], metrics[b]
        name = f"{col_a}_x_{col_b}_sum"
        for key, record in records.items():
            if key not in {(v, s) for v in data.VARIANTS for s in data.SEGMENTS}:
                continue
            k_a = Fraction(record[col_a + "_shift"]) if kind_a == "continuous" else Fraction(0)
            k_b = Fraction(record[col_b + "_shift"]) if kind_b == "continuous" else Fraction(0)
            exact, scale = Fraction(0), 0.0
            for row in data.valid(unit_rows):
                if (row["variant"], row["segment"]) != key:
                    continue
                x, y = row[col_a], row[col_b]
                x = 0 if x is None and miss_a == "zero" else x
                y = 0 if y is None and miss_b == "zero" else y
                if x is None or y is None:
                    continue
                term = (Fraction(x) - k_a) * (Fraction(y) - k_b)
                exact += term
                scale += abs(float(term))
            assert abs(float(record[name]) - float(exact)) <= 1e-12 * (scale or 1.0), (key, name)
            checked += 1
    assert checked == 2 * 9


def cursor_runner(con):
    """`run(text)` -> (column names, rows) on a DB-API connection that executes directly (sqlite3, duckdb)."""
    def run(text):
        result = con.execute(text)
        return [d[0] for d in result.description], result.fetchall()
    return run


def write_cells(columns, rows, path):
    """Saves a result the way a user would: a CSV with the result's header (floats at full precision)."""
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if v is None else repr(float(v)) if isinstance(v, float) else str(v) for v in row])
    return path


def check_cells(columns, rows, expected, *, excluded=None, dropped=None):
    """Integer counts identical to the CSV path's, shifted sums within 1e-12 of the exact ones.

    With `dropped` (the CSV reader's rows dropped by kind), the unit-level result's own account must match
    it: cells of unknown variants and segments by their n, the other reasons by the dropped_* columns.
    """
    assert rows, "the query returned no rows"
    got, unknown, counted = {}, {}, {}
    for row in rows:
        record = dict(zip(columns, row))
        variant, segment = (record["variant"] or "").strip(), (record["segment"] or "").strip()
        for column, kind in data.DROPPED.items():
            if column in record:
                counted[kind] = counted.get(kind, 0) + int(record[column])
        if variant not in data.VARIANTS or segment not in data.SEGMENTS:
            kind = "unknown_variant" if variant not in data.VARIANTS else "unknown_segment"
            unknown[kind] = unknown.get(kind, 0) + int(record["n"])
            continue
        assert (variant, segment) not in got, "one row per cell"
        got[(variant, segment)] = record
    assert sorted(got) == sorted(expected)
    if dropped is not None:
        assert {k: v for k, v in {**counted, **unknown}.items() if v} == dropped
    for key, cell in expected.items():
        record = got[key]
        assert int(record["n"]) == cell["n"] and float(record["n"]) == cell["n"], key
        if excluded is not None:
            assert int(record[data.EVENTS_EXCLUDED]) == excluded
        for name, column, kind, _ in data.METRICS:
            want = cell[name]
            assert int(record[column + "_n"]) == want["n"], (key, name)
            shift = Fraction(record[column + "_shift"]) if kind == "continuous" else Fraction(0)
            shifted_sum = want["sum"] - shift * want["n"]
            shifted_sq = want["sum_sq"] - 2 * shift * want["sum"] + shift * shift * want["n"]
            scale = math.sqrt(float(shifted_sq) * want["n"]) or 1.0  # ≥ Σ|x − K|, by Cauchy–Schwarz
            assert abs(float(record[column + "_sum"]) - float(shifted_sum)) <= 1e-12 * scale, (key, name)
            if kind == "continuous":
                assert abs(float(record[column + "_sum_sq"]) - float(shifted_sq)) <= 1e-12 * float(shifted_sq), (key, name)


def analysis(definition, data_path):
    result = strata("analyze", "--experiment", str(definition), "--data", str(data_path), "--json", "--no-look-log")
    return json.loads(result.stdout)


def assert_same_analysis(got, want, path="$"):
    """The analysis JSON apart from the data account (but with its empty values per column, which SQL counts as
    the CSV reader does: `<c>_zero_filled`): strings, booleans and integers identical, floats
    within 1e-9 relative (the unit-level reader keeps Welford moments, the cells sums of shifted values:
    both exact to ~1e-15, so results may differ in the last bits)."""
    if path == "$":  # the data account, and its one-line summary among the warnings
        # Of the account, the empty values per column (left out, or counted as 0 by missing: zero) are the same.
        assert got["data"]["missing_values"] == want["data"]["missing_values"]
        got, want = ({k: [w for w in v if "rows were dropped" not in w] if k == "warnings" else v
                      for k, v in side.items() if k != "data"} for side in (got, want))
    if isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want), path
        for key in want:
            assert_same_analysis(got[key], want[key], f"{path}.{key}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), path
        for index, (g, w) in enumerate(zip(got, want)):
            assert_same_analysis(g, w, f"{path}[{index}]")
    elif isinstance(want, float) or (isinstance(got, float) and isinstance(want, int) and not isinstance(want, bool)):
        # A float that is whole prints as an integer (1.0 -> 1), so either side may read as one.
        assert isinstance(got, (int, float)) and not isinstance(got, bool), path
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-300), f"{path}: {got} != {want}"
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"
