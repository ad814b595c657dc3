"""Seeded data for the refinement checks (review F4): a first value of 1e12 among revenues of about 300 is the
engine's shift K for every cell, so the other cells' sums about it lose their variance's digits; `strata sql
--refine` (and `analyze --database` by itself) sums those cells again about their own means.

The cells: (control, a) holds the 1e12 unit (the first row of every table, so `LIMIT 1` finds it) and values near
300; (control, b) is all zeros (the reviewer's cell, sd 20,387 from one K before the first query gave a constant cell
its value as K); (control, c) is all 299.99 (a constant cell, exact from the first query too); (treatment, c) is 300 + k/100 (sd 0.02, below the rounding
of 1e12); the rest spread near 300. Revenue has a covariate (CUPED, `revenue_before`) near 290, so cross-products are
summed again too. The same units are a unit-level CSV, a unit-level table and exposures and events.
"""
import csv
import datetime as dt
import random

EXPERIMENT_ID = "wh-refine.2026"
VARIANTS = ["control", "treatment"]
SEGMENTS = ["a", "b", "c"]
START = dt.datetime(2026, 3, 1, 9, 0, 0)
FAR = 1e12

DEFINITION = f"""id: {EXPERIMENT_ID}
name: A far first value
unit: member_id
variants:
  - key: control
  - key: treatment
segments:
  - name: a
    rule: visits >= 10
  - name: b
    rule: visits >= 3
  - name: c
metrics:
  - name: converted
    kind: binomial
    role: primary
    missing: zero
    window: 30d
  - name: revenue
    kind: continuous
    role: secondary
    missing: exclude
    window: 30d
    covariate: {{column: revenue_before, missing: zero}}
plan:
  alpha: 0.05
  power: 0.8
  baseline: 0.3
  mde: 0.05
"""

COLUMNS = ["member_id", "variant", "segment", "converted", "revenue", "revenue_before"]


def units(count=600, seed=20261207):
    """Unit rows (dicts; None = missing), the 1e12 unit first."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        variant, segment = VARIANTS[index % 2], SEGMENTS[(index // 2) % 3]
        if (variant, segment) == ("control", "b"):
            revenue = 0.0
        elif (variant, segment) == ("control", "c"):
            revenue = 299.99
        elif (variant, segment) == ("treatment", "c"):
            revenue = 300 + rng.randrange(0, 7) / 100
        else:
            revenue = 250 + rng.randrange(0, 356) / 4
        if index == 0:
            revenue = FAR
        rows.append({"member_id": f"m{index:04d}", "variant": variant, "segment": segment,
                     "converted": 1 if rng.random() < 0.3 else None, "revenue": revenue,
                     "revenue_before": 240 + rng.randrange(0, 400) / 4})
    return rows


def write_csv(rows, path, columns=None):
    """The unit-level CSV of `rows` (dicts) in `columns` (this module's COLUMNS by default); floats at full precision."""
    columns = columns or COLUMNS
    with open(path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row[c] is None else repr(row[c]) if isinstance(row[c], float) else row[c]
                             for c in columns])
    return path


def unit_tuples(rows, columns=None):
    return [tuple(row[c] for c in columns or COLUMNS) for row in rows]


def events(rows):
    """(exposures, events) as tuples in the EventSchema column order; one event per value, the 1e12 one first."""
    exposures, events = [], []
    for row in rows:
        unit = row["member_id"]
        exposures.append((unit, EXPERIMENT_ID, row["variant"], row["segment"], START, "def-1"))
        if row["revenue"] is not None:
            events.append((unit, "revenue", float(row["revenue"]), START + dt.timedelta(hours=1)))
        if row["converted"]:
            events.append((unit, "converted", 1.0, START + dt.timedelta(hours=2)))
        events.append((unit, "revenue_before", float(row["revenue_before"]), START - dt.timedelta(hours=1)))
    return exposures, events


DDL = [
    "CREATE TABLE units (member_id {text}, variant {text}, segment {text}, converted {integer}, revenue {double}, "
    "revenue_before {double})",
    "CREATE TABLE exposures (unit_id {text}, experiment_id {text}, variant {text}, segment {text}, "
    "exposed_at {timestamp}, definition_hash {text})",
    'CREATE TABLE events (unit_id {text}, metric {text}, "value" {double}, occurred_at {timestamp})',
]


def ddl(text, double, integer, timestamp):
    return [s.format(text=text, double=double, integer=integer, timestamp=timestamp) for s in DDL]
