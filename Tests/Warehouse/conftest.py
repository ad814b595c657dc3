"""Shared helpers of the warehouse tests: the strata binary, the data, cell checks, analysis comparison."""
import csv
import json
import math
import os
import subprocess
from fractions import Fraction
from pathlib import Path

import pytest

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


def query(definition, dialect, *, table=None, exposures=None, events=None):
    args = ["sql", "--experiment", str(definition), "--dialect", dialect]
    args += ["--table", table] if table else ["--exposures", exposures, "--events", events]
    return strata(*args).stdout


def write_cells(columns, rows, path):
    """Saves a result the way a user would: a CSV with the result's header (floats at full precision)."""
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if v is None else repr(float(v)) if isinstance(v, float) else str(v) for v in row])
    return path


def check_cells(columns, rows, expected, *, excluded=None):
    """Integer counts identical to the CSV path's, shifted sums within 1e-12 of the exact ones."""
    assert rows, "the query returned no rows"
    got = {}
    for row in rows:
        record = dict(zip(columns, row))
        got[(record["variant"], record["segment"])] = record
    assert sorted(got) == sorted(expected)
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
    """The analysis JSON apart from the data account: strings, booleans and integers identical, floats
    within 1e-9 relative (the unit-level reader keeps Welford moments, the cells sums of shifted values:
    both exact to ~1e-15, so results may differ in the last bits)."""
    if path == "$":  # the data account, and its one-line summary among the warnings
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
    elif isinstance(want, float) and not isinstance(want, bool):
        assert isinstance(got, (int, float)), path
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-300), f"{path}: {got} != {want}"
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"
