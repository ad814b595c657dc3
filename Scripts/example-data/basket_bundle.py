#!/usr/bin/env python3
"""Synthetic data for the ratio and CUPED example: a bundle suggestion at checkout
(experiments/basket-bundle.yaml).

One row per customer who reached checkout during the test: customer_id, variant, segment, orders and
revenue (EUR) in the 28 days of the test, orders_before and revenue_before (the 28 days before it; empty
for a customer with no history, which the definition counts as 0), and ordered (0/1). Seeded, standard
library only, so the committed files are reproducible:

    python3 Scripts/example-data/basket_bundle.py   # writes experiments/data/basket-bundle.csv and
                                                    # experiments/data/basket-bundle-cells.csv

Each customer has a habit (how much they buy) that drives both periods, so the pre-period is a strong
covariate. Planted effect of the bundle suggestion: revenue per order +6% for new customers, +3% for
returning ones; the number of orders does not change.

The second file holds the same customers aggregated per variant × segment in the format of
docs/analyze.md ("Aggregated input"): n, <col>_sum, <col>_sum_sq per column and the cross-products
<a>_x_<b>_sum the ratio and its covariate need, summed here in exact rational arithmetic (an
implementation independent of Strata's), so `strata analyze` must give the same results from both files.
"""
import csv
import pathlib
import random
from fractions import Fraction

SEED = 20261204
VARIANTS = ["control", "bundle"]
SEGMENTS = [("new", 2600, 0.06), ("returning", 5400, 0.03)]  # name, customers, lift in revenue per order
COLUMNS = ["revenue", "orders", "revenue_before", "orders_before", "ordered"]
# The cross-products the definition's metrics need, in the order `strata sql` writes them.
PAIRS = [
    ("revenue", "orders"), ("revenue", "revenue_before"), ("revenue", "orders_before"),
    ("orders", "revenue_before"), ("orders", "orders_before"), ("revenue_before", "orders_before"),
]


def customer(rng, segment, lift, variant):
    habit = rng.lognormvariate(0, 0.5)  # how much this customer buys, in both periods
    basket = 38 * habit ** 0.5 * rng.uniform(0.85, 1.15)  # EUR per order, also a habit
    history = segment == "returning" or rng.random() < 0.3
    orders_before = (rng.choice([0, 1, 1, 2, 2, 3]) if habit > 0.7 else rng.choice([0, 0, 1, 1, 2])) if history else None
    revenue_before = None
    if orders_before is not None:
        revenue_before = round(sum(basket * rng.uniform(0.8, 1.2) for _ in range(orders_before)), 2)
    orders = rng.choice([0, 1, 1, 2, 2, 3]) if habit > 0.7 else rng.choice([0, 0, 1, 1, 2])
    effect = 1 + (lift if variant == "bundle" else 0)
    revenue = round(sum(basket * effect * rng.uniform(0.8, 1.2) for _ in range(orders)), 2)
    return [orders, revenue, orders_before, revenue_before, 1 if orders > 0 else 0]


def main():
    rng = random.Random(SEED)
    root = pathlib.Path(__file__).resolve().parents[2] / "experiments" / "data"
    rows = []
    number = 500000
    for segment, customers, lift in SEGMENTS:
        for _ in range(customers):
            number += rng.randint(1, 7)
            variant = rng.choice(VARIANTS)
            orders, revenue, orders_before, revenue_before, ordered = customer(rng, segment, lift, variant)
            rows.append([f"C{number}", variant, segment, orders, revenue, orders_before, revenue_before, ordered])
    rng.shuffle(rows)
    header = ["customer_id", "variant", "segment", "orders", "revenue", "orders_before", "revenue_before", "ordered"]
    with (root / "basket-bundle.csv").open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([["" if v is None else v for v in row] for row in rows])

    def value(row, column):
        raw = row[header.index(column)]
        return Fraction(0) if raw is None else Fraction(str(raw))  # missing: zero

    cells = ["variant", "segment", "n"]
    for column in COLUMNS:
        cells += [f"{column}_sum"] + ([] if column == "ordered" else [f"{column}_sum_sq"])
    cells += [f"{a}_x_{b}_sum" for a, b in PAIRS]
    with (root / "basket-bundle-cells.csv").open("w", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(cells)
        for variant in VARIANTS:
            for segment, _, _ in SEGMENTS:
                part = [r for r in rows if r[1] == variant and r[2] == segment]
                out = [variant, segment, len(part)]
                for column in COLUMNS:
                    out.append(float(sum(value(r, column) for r in part)))
                    if column != "ordered":
                        out.append(float(sum(value(r, column) ** 2 for r in part)))
                out += [float(sum(value(r, a) * value(r, b) for r in part)) for a, b in PAIRS]
                writer.writerow([repr(v) if isinstance(v, float) else v for v in out])
    print(f"wrote {root / 'basket-bundle.csv'} ({len(rows)} rows) and {root / 'basket-bundle-cells.csv'}")


if __name__ == "__main__":
    main()
