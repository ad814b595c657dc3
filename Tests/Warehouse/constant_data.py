"""Seeded data for the constant-cell checks: cells whose values of a column are all equal but not the query's K come
out exact from the first query (`<col>_shift` their value, sums 0), so no refinement runs.

The cells (2 variants x 3 segments), K near the values everywhere else (no outlier):
- (control, b): no revenue at all: with missing: zero an all-zero cell (a sparse metric where nobody bought);
- (treatment, c): every revenue 42.5 (split 40 + 2.5 into two events in the event-level shape, exact);
- (treatment, a): every revenue_before 10 (revenue's CUPED covariate: its cross-products with a constant column);
- (treatment, b): every orders 1 (the ratio's denominator; its numerator spreads);
- (control, a): every spend 15 (Lin's regression outcome, covariate visits_before spreading);
the rest spread over multiples of 1/4 near 20-80. The same units are a unit-level CSV, a table and exposures and events.
"""
import datetime as dt
import random

import refine_data

EXPERIMENT_ID = "wh-constant.2026"
VARIANTS = ["control", "treatment"]
SEGMENTS = ["a", "b", "c"]
START = dt.datetime(2026, 3, 1, 9, 0, 0)

DEFINITION = f"""id: {EXPERIMENT_ID}
name: Cells whose values are all equal
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
  - name: revenue
    kind: continuous
    role: secondary
    missing: zero
    covariate: {{column: revenue_before, missing: zero}}
  - name: value_per_order
    kind: ratio
    numerator: order_value
    denominator: orders
    role: secondary
    missing: zero
  - name: spend
    kind: continuous
    role: secondary
    missing: exclude
    covariates: {{columns: [visits_before], errors: hc2, missing: zero}}
plan:
  alpha: 0.05
  power: 0.8
  baseline: 0.3
  mde: 0.05
"""

COLUMNS = ["member_id", "variant", "segment", "converted", "revenue", "revenue_before", "order_value", "orders",
           "spend", "visits_before"]
# Metric values as events after exposure; covariates before it.
AFTER = ["converted", "revenue", "order_value", "orders", "spend"]
BEFORE = ["revenue_before", "visits_before"]


def units(count=600, seed=20261208):
    """Unit rows (dicts; None = missing)."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        variant, segment = VARIANTS[index % 2], SEGMENTS[(index // 2) % 3]
        cell = (variant, segment)
        row = {"member_id": f"m{index:04d}", "variant": variant, "segment": segment,
               "converted": 1 if rng.random() < 0.3 else None,
               "revenue": 20 + rng.randrange(0, 240) / 4, "revenue_before": 15 + rng.randrange(0, 200) / 4,
               "order_value": 10 + rng.randrange(0, 160) / 4, "orders": float(1 + rng.randrange(0, 4)),
               "spend": 5 + rng.randrange(0, 120) / 4, "visits_before": float(rng.randrange(0, 30))}
        if cell == ("control", "b"):
            row["revenue"] = None
        elif cell == ("treatment", "c"):
            row["revenue"] = 42.5
        elif cell == ("treatment", "a"):
            row["revenue_before"] = 10.0
        elif cell == ("treatment", "b"):
            row["orders"] = 1.0
        elif cell == ("control", "a"):
            row["spend"] = 15.0
        rows.append(row)
    return rows


def write_csv(rows, path):
    return refine_data.write_csv(rows, path, COLUMNS)


def unit_tuples(rows):
    return refine_data.unit_tuples(rows, COLUMNS)


def events(rows):
    """(exposures, events) as tuples in the EventSchema column order; 42.5 as two events (40 + 2.5)."""
    exposures, events = [], []
    for row in rows:
        unit = row["member_id"]
        exposures.append((unit, EXPERIMENT_ID, row["variant"], row["segment"], START, "def-1"))
        for offset, name in enumerate(AFTER):
            value = row[name]
            if value is None:
                continue
            parts = [40.0, 2.5] if name == "revenue" and value == 42.5 else [float(value)]
            for part in parts:
                events.append((unit, name, part, START + dt.timedelta(hours=1 + offset)))
        for offset, name in enumerate(BEFORE):
            if row[name] is not None:
                events.append((unit, name, float(row[name]), START - dt.timedelta(hours=1 + offset)))
    return exposures, events


DDL = [
    "CREATE TABLE units (member_id {text}, variant {text}, segment {text}, converted {integer}, revenue {double}, "
    "revenue_before {double}, order_value {double}, orders {double}, spend {double}, visits_before {double})",
    "CREATE TABLE exposures (unit_id {text}, experiment_id {text}, variant {text}, segment {text}, "
    "exposed_at {timestamp}, definition_hash {text})",
    'CREATE TABLE events (unit_id {text}, metric {text}, "value" {double}, occurred_at {timestamp})',
]


def ddl(text, double, integer, timestamp):
    return [s.format(text=text, double=double, integer=integer, timestamp=timestamp) for s in DDL]
