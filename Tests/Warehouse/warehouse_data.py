"""Seeded test data for the warehouse tests: the same units as a unit-level CSV, as a unit-level table and
as the service's exposures and events, with the exact cells a correct query must return.

Values are chosen so every engine's arithmetic can be checked tightly: revenue sits near 10^6 with a
spread of a few hundred (the shift constant matters), and is a multiple of 1/4 so that splitting it into
events is exact.
"""
import datetime as dt
import random
from fractions import Fraction

VARIANTS = ["control", "t1", "t2"]
SEGMENTS = ["high", "mid", "low"]
BASKET = "basket value (EUR); --"  # a column name that must be quoted, never spliced
EXPERIMENT_ID = "wh-test.2026"
START = dt.datetime(2026, 3, 1, 9, 0, 0)

DEFINITION = f"""id: {EXPERIMENT_ID}
name: Warehouse test
unit: member_id
variants:
  - key: control
  - key: t1
  - key: t2
segments:
  - name: high
    rule: visits >= 10
  - name: mid
    rule: visits >= 3
  - name: low
metrics:
  - name: converted
    kind: binomial
    role: primary
    missing: zero
    window: 7d
  - name: revenue
    kind: continuous
    role: secondary
    missing: exclude
    window: 30d
  - name: basket
    kind: continuous
    role: guardrail
    column: "{BASKET}"
    missing: zero
plan:
  alpha: 0.05
  power: 0.8
  baseline: 0.3
  mde: 0.05
"""

# Metric order in the definition; name → (column, kind, missing policy).
METRICS = [
    ("converted", "converted", "binomial", "zero"),
    ("revenue", "revenue", "continuous", "exclude"),
    ("basket", BASKET, "continuous", "zero"),
]


def units(count=3000, seed=20261203):
    """Unit rows: dicts with member_id, variant, segment and one value per metric column (None = missing).

    A few rows are bad in the ways the CSV reader drops: no unit id, a 0/1 metric holding 2.
    """
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        variant = VARIANTS[rng.randrange(3)]
        segment = SEGMENTS[min(2, int(rng.random() * 3.2))]
        lift = {"control": 0.0, "t1": 0.04, "t2": 0.08 if segment == "low" else 0.0}[variant]
        converted = None if rng.random() < 0.1 else int(rng.random() < 0.25 + lift)
        revenue = None if rng.random() < 0.2 else 1_000_000 + rng.randrange(-2000, 2400) / 4
        basket = None if rng.random() < 0.15 else rng.randrange(0, 40000) / 8
        rows.append({"member_id": f"m{index:05d}", "variant": variant, "segment": segment,
                     "converted": converted, "revenue": revenue, BASKET: basket})
    rows[10]["member_id"] = None        # no unit id: dropped
    rows[11]["converted"] = 2           # not 0/1: dropped
    rows[12] = dict(rows[5])            # the same unit loaded twice: the copy is dropped
    rows[13]["variant"] = "t9"          # not a variant of the experiment: dropped
    rows[14]["segment"] = "vip"         # not a segment: dropped
    rows[15]["variant"] = " t1 "        # spaces around a name are ignored, as in a CSV
    rows[16].update(variant="t9", member_id=None, converted=2)  # an unknown variant is the reason given
    return rows


def account(rows):
    """(kept rows, {issue kind: rows dropped}) in the CSV reader's order of checks."""
    kept, dropped, seen = [], {}, set()

    def drop(kind):
        dropped[kind] = dropped.get(kind, 0) + 1

    for row in rows:
        variant, segment = (row["variant"] or "").strip(), (row["segment"] or "").strip()
        if variant not in VARIANTS:
            drop("unknown_variant")
        elif segment not in SEGMENTS:
            drop("unknown_segment")
        elif row["converted"] not in (None, 0, 1):
            drop("unparseable_number")
        elif row["member_id"] in (None, ""):
            drop("missing_unit")
        elif row["member_id"] in seen:
            drop("duplicate_unit")
        else:
            seen.add(row["member_id"])
            kept.append(dict(row, variant=variant, segment=segment))
    return kept, dropped


def valid(rows):
    """The rows the CSV reader uses (names stripped of spaces)."""
    return account(rows)[0]


# Result columns counting rows the unit-level query dropped, by the CSV reader's issue kind.
DROPPED = {"dropped_bad_value": "unparseable_number", "dropped_missing_unit": "missing_unit",
           "dropped_duplicate_unit": "duplicate_unit"}


def expected_cells(rows):
    """Exact cells (Fractions) from the valid rows, keyed by (variant, segment)."""
    cells = {}
    for row in valid(rows):
        cell = cells.setdefault((row["variant"], row["segment"]), {"n": 0, **{
            name: {"n": 0, "sum": Fraction(0), "sum_sq": Fraction(0)} for name, *_ in METRICS}})
        cell["n"] += 1
        for name, column, _, missing in METRICS:
            value = row[column]
            if value is None:
                if missing == "exclude":
                    continue
                value = 0
            value = Fraction(value)
            cell[name]["n"] += 1
            cell[name]["sum"] += value
            cell[name]["sum_sq"] += value * value
    return cells


def write_csv(rows, path):
    columns = ["member_id", "variant", "segment", "converted", "revenue", BASKET]
    with open(path, "w") as out:
        out.write(",".join(columns) + "\n")
        for row in rows:
            out.write(",".join("" if row[c] is None else str(row[c]) for c in columns) + "\n")


def events(rows, seed=7):
    """(exposures, events) for the same units: repeated exposures, units exposed to two variants, events
    split across several rows, events before exposure, after the window, of other metrics and of another
    experiment. Returns rows as tuples in the EventSchema column order."""
    rng = random.Random(seed)
    exposures, events = [], []
    for index, row in enumerate(valid(rows)):
        unit = row["member_id"]
        first = START + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 14))
        exposures.append((unit, EXPERIMENT_ID, row["variant"], row["segment"], first, "def-1"))
        if index % 7 == 0:  # a later exposure to the same variant (another segment must not win)
            exposures.append((unit, EXPERIMENT_ID, row["variant"], SEGMENTS[(SEGMENTS.index(row["segment"]) + 1) % 3],
                              first + dt.timedelta(hours=5), "def-1"))
        if index % 13 == 0:  # another experiment's exposure
            exposures.append((unit, "other-exp", "t9", "zzz", first - dt.timedelta(days=1), "def-9"))

        def emit(metric, value, offset):
            events.append((unit, metric, value, first + offset))

        if row["converted"] is not None:
            emit("converted", float(row["converted"]), dt.timedelta(days=rng.randrange(0, 6), hours=3))
            if row["converted"] == 0 and index % 5 == 0:  # a late conversion, outside the 7d window
                emit("converted", 1.0, dt.timedelta(days=8))
        if row["revenue"] is not None:
            part = rng.randrange(0, 4000) / 4
            emit("revenue", part, dt.timedelta(days=1))
            emit("revenue", row["revenue"] - part, dt.timedelta(days=29, hours=23))
            emit("revenue", 500.0, dt.timedelta(days=30, seconds=1))  # after the 30d window
        emit("revenue", 77.0, -dt.timedelta(minutes=1))  # before exposure: never counted
        if row[BASKET] is not None:
            emit("basket", row[BASKET], dt.timedelta(days=200))  # no window: any time after exposure
        emit("unrelated", 3.0, dt.timedelta(days=1))
    # Units exposed to two variants: left out, counted.
    for index in range(5):
        unit = f"x{index}"
        exposures.append((unit, EXPERIMENT_ID, "control", "high", START, "def-1"))
        exposures.append((unit, EXPERIMENT_ID, "t1", "high", START + dt.timedelta(hours=1), "def-1"))
        events.append((unit, "converted", 1.0, START + dt.timedelta(hours=2)))
    return exposures, events


MULTIPLE_VARIANT_UNITS = 5
EVENTS_EXCLUDED = "units_multiple_variants"
