"""Seeded data for the covariate (CUPED) checks of the event-level shape: one set of units written both as a
unit-level CSV (with the pre-period columns) and as exposures and events, where a covariate is the sum of the
unit's events named as its column BEFORE the first exposure, over the metric's window (docs/warehouse.md).

Every unit value is decided first and then split into events, with events that must not count placed around
every boundary: exactly at exposure − window (counts for the covariate), exactly at the exposure (counts for the
metric, not the covariate), just before exposure − window, after the metric's window, before the first
exposure of a unit exposed again later, and of units exposed to two variants. Values are multiples of 1/4, so
every split is exact in doubles.
"""
import datetime as dt
import random
from fractions import Fraction

EXPERIMENT_ID = "wh-cov.2026"
VARIANTS = ["control", "bundle", "coupon"]
SEGMENTS = ["new", "returning"]
START = dt.datetime(2026, 3, 1, 9, 0, 0)
SPEND_WINDOW = dt.timedelta(days=14)
RATIO_WINDOW = dt.timedelta(days=30)

DEFINITION = f"""id: {EXPERIMENT_ID}
name: Covariates from events
unit: customer_id
variants:
  - key: control
  - key: bundle
  - key: coupon
segments:
  - name: new
    rule: tenure_months < 6
  - name: returning
metrics:
  - name: revenue_per_order
    kind: ratio
    numerator: revenue
    denominator: orders
    role: primary
    missing: zero
    window: 30d
    covariate: {{numerator: revenue_before, denominator: orders_before, missing: zero}}
  - name: spend
    kind: continuous
    role: secondary
    missing: zero
    window: 14d
    covariate: {{column: spend_before, missing: zero}}
  - name: ordered
    kind: binomial
    role: guardrail
    missing: exclude
    covariate: visits_before_all
  - name: basket
    kind: continuous
    role: secondary
    missing: exclude
plan:
  alpha: 0.05
  power: 0.8
  mde: 2
  relative: false
"""

COLUMNS = ["customer_id", "variant", "segment", "revenue", "orders", "revenue_before", "orders_before", "spend",
           "spend_before", "ordered", "visits_before_all", "basket"]
MULTIPLE_VARIANT_UNITS = 4


def units(count=2400, seed=20261204):
    """Unit rows (dicts keyed by COLUMNS). A unit without history has no revenue_before or spend_before (empty
    in the CSV, no event: missing: zero counts it as 0, and both paths count the fill); orders_before is 0
    for it (an event of value 0). visits_before_all is missing (no visit ever) for some units: its policy is
    exclude, as is `ordered`'s, and those units have no `ordered` event either."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        variant = VARIANTS[rng.randrange(3)]
        segment = SEGMENTS[int(rng.random() < 0.55)]
        history = rng.random() < 0.85
        orders_before = rng.randrange(0, 6) if history else 0
        revenue_before = sum(rng.randrange(2000, 16000) / 4 for _ in range(orders_before)) if history else None
        lift = {"control": 1.0, "bundle": 1.04, "coupon": 1.0}[variant]
        orders = max(0, orders_before + rng.randrange(-1, 3)) if rng.random() < 0.8 else 0
        revenue = sum(round(rng.randrange(2000, 16000) * lift) / 4 for _ in range(orders))
        spend_before = revenue_before + rng.randrange(0, 400) / 4 if history else None
        spend = 1_000_000 + (spend_before or 0) + rng.randrange(-800, 1200) / 4 if rng.random() < 0.9 else 0.0
        visited = rng.random() < 0.9
        visits = rng.randrange(1, 9) if visited else None
        ordered = (1 if orders > 0 else 0) if visited else None
        basket = None if rng.random() < 0.2 else rng.randrange(0, 4000) / 8
        rows.append({"customer_id": f"c{index:05d}", "variant": variant, "segment": segment,
                     "revenue": revenue, "orders": float(orders), "revenue_before": revenue_before,
                     "orders_before": float(orders_before), "spend": spend, "spend_before": spend_before,
                     "ordered": ordered, "visits_before_all": None if visits is None else float(visits),
                     "basket": basket})
    return rows


def write_csv(rows, path):
    with open(path, "w") as out:
        out.write(",".join(COLUMNS) + "\n")
        for row in rows:
            out.write(",".join("" if row[c] is None else repr(row[c]) if isinstance(row[c], float) else str(row[c])
                               for c in COLUMNS) + "\n")


def events(rows, seed=11):
    """(exposures, events) as tuples in the EventSchema column order."""
    rng = random.Random(seed)
    exposures, events = [], []
    for index, row in enumerate(rows):
        unit = row["customer_id"]
        first = START + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 10))
        exposures.append((unit, EXPERIMENT_ID, row["variant"], row["segment"], first, "def-1"))
        if index % 5 == 0:  # exposed again later: the first exposure still starts every window
            exposures.append((unit, EXPERIMENT_ID, row["variant"], row["segment"], first + dt.timedelta(days=3),
                              "def-1"))

        def emit(metric, value, offset):
            events.append((unit, metric, float(value), first + offset))

        def split(metric, total, start, length):
            """total (a multiple of 1/4) as one or two events inside [first + start, first + start + length)."""
            first_part = round(total * rng.random() * 4) / 4 if rng.random() < 0.5 else total
            for value in [first_part, total - first_part] if first_part != total else [total]:
                emit(metric, value, start + dt.timedelta(seconds=rng.randrange(0, int(length.total_seconds()))))

        # After exposure, inside the metric's window; the edges: at exposure (counts), at exposure + window (not).
        split("revenue", row["revenue"], dt.timedelta(0), RATIO_WINDOW)
        emit("orders", row["orders"], dt.timedelta(0))
        split("spend", row["spend"], dt.timedelta(0), SPEND_WINDOW)
        emit("spend", 999.25, SPEND_WINDOW)  # at exposure + 14d: after the window
        emit("revenue", 50.0, RATIO_WINDOW + dt.timedelta(hours=1))
        # Before exposure, inside the pre-window [exposure − window, exposure); the lower edge counts.
        if row["revenue_before"] is not None:
            split("revenue_before", row["revenue_before"], -RATIO_WINDOW, RATIO_WINDOW)
        emit("orders_before", row["orders_before"], -RATIO_WINDOW)  # exactly exposure − 30d: counts
        emit("orders_before", 7.0, -RATIO_WINDOW - dt.timedelta(seconds=1))  # just outside
        emit("revenue_before", 123.5, dt.timedelta(0))  # at exposure: not before it
        emit("revenue_before", 80.0, dt.timedelta(days=2))  # after exposure: never a covariate
        if row["spend_before"] is not None:
            split("spend_before", row["spend_before"], -SPEND_WINDOW, SPEND_WINDOW)
        emit("spend_before", 400.0, -SPEND_WINDOW - dt.timedelta(days=1))  # before the 14d pre-window
        if row["visits_before_all"] is not None:  # no window on `ordered`: every earlier visit counts
            visits = int(row["visits_before_all"])
            for visit in range(visits):
                emit("visits_before_all", 1.0, -dt.timedelta(days=rng.randrange(1, 400), minutes=visit))
            emit("ordered", row["ordered"], dt.timedelta(days=rng.randrange(0, 60)))
        if row["basket"] is not None:
            emit("basket", row["basket"], dt.timedelta(days=1))
        emit("basket", 5.0, -dt.timedelta(days=1))  # before exposure: not the metric
    for index in range(MULTIPLE_VARIANT_UNITS):  # two variants: left out, counted
        unit = f"x{index}"
        exposures.append((unit, EXPERIMENT_ID, "control", "new", START, "def-1"))
        exposures.append((unit, EXPERIMENT_ID, "bundle", "new", START + dt.timedelta(hours=1), "def-1"))
        events.append((unit, "revenue_before", 10.0, START - dt.timedelta(days=1)))
    return exposures, events


def value_columns():
    """(column, kind, missing) of every value column the cells carry."""
    return [("revenue", "continuous", "zero"), ("orders", "continuous", "zero"),
            ("revenue_before", "continuous", "zero"), ("orders_before", "continuous", "zero"),
            ("spend", "continuous", "zero"), ("spend_before", "continuous", "zero"),
            ("ordered", "binomial", "exclude"), ("visits_before_all", "continuous", "exclude"),
            ("basket", "continuous", "exclude")]


def check_cells(columns, rows, unit_rows):
    """Every count identical and every shifted sum, sum of squares and cross-product within 1e-12 (relative to
    Σ|terms|) of the exact value over the units (Fractions), with the result's own shift constants."""
    records = {(r["variant"], r["segment"]): r for r in (dict(zip(columns, row)) for row in rows)}
    assert sorted(records) == sorted((v, s) for v in VARIANTS for s in SEGMENTS)
    kinds = {c: (kind, missing) for c, kind, missing in value_columns()}
    pairs = [name[:-len("_sum")].split("_x_") for name in columns if "_x_" in name and name.endswith("_sum")]
    assert len(pairs) == 6 + 1 + 1, pairs  # the ratio's 4 columns pairwise, spend × spend_before, ordered × visits
    for key, record in records.items():
        cell = [r for r in unit_rows if (r["variant"], r["segment"]) == key]
        assert int(record["n"]) == len(cell)
        assert int(record["units_multiple_variants"]) == MULTIPLE_VARIANT_UNITS

        def value(row, column):
            kind, missing = kinds[column]
            x = row[column]
            if x is None:
                return 0 if missing == "zero" else None
            return Fraction(x)

        def shift(column):
            return Fraction(record[column + "_shift"]) if kinds[column][0] == "continuous" else Fraction(0)

        for column in kinds:
            values = [v - shift(column) for v in (value(r, column) for r in cell) if v is not None]
            assert int(record[column + "_n"]) == len(values), (key, column)
            scale = sum(abs(float(v)) for v in values) or 1.0
            assert abs(float(record[column + "_sum"]) - float(sum(values))) <= 1e-12 * scale, (key, column)
            if kinds[column][0] == "continuous":
                exact = sum(v * v for v in values)
                assert abs(float(record[column + "_sum_sq"]) - float(exact)) <= 1e-12 * (float(exact) or 1.0), \
                    (key, column)
        for a, b in pairs:
            both = [r for r in cell if value(r, a) is not None and value(r, b) is not None]
            terms = [(value(r, a) - shift(a)) * (value(r, b) - shift(b)) for r in both]
            scale = sum(abs(float(t)) for t in terms) or 1.0
            assert abs(float(record[f"{a}_x_{b}_sum"]) - float(sum(terms))) <= 1e-12 * scale, (key, a, b)
            # A pair with missing: exclude on a column carries its own units and their sums (CellQuery.pairUnitsColumns).
            own = f"{a}_x_{b}_n" in record
            assert own == ("exclude" in (kinds[a][1], kinds[b][1])), (key, a, b)
            if own:
                assert int(record[f"{a}_x_{b}_n"]) == len(both), (key, a, b)
                for side, column in [("a", a), ("b", b)]:
                    values = [value(r, column) - shift(column) for r in both]
                    scale = sum(abs(float(v)) for v in values) or 1.0
                    assert abs(float(record[f"{a}_x_{b}_sum_{side}"]) - float(sum(values))) <= 1e-12 * scale, \
                        (key, a, b, side)
