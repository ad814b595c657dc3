#!/usr/bin/env python3
"""Generates the data of Benchmarks/analyze_adjusted.sh: a unit-level CSV with N rows (default 10 M), 5
segments, 3 variants, `converted` (0/1), `revenue` and `orders` in the test and `revenue_before` and
`orders_before` before it (a customer's habit drives both periods, so the pre-period is a real covariate).

    python3 Benchmarks/analyze_adjusted_data.py [--rows 10000000] [--out bench-data/adjusted-10000000.csv]
"""
import argparse
import pathlib

import numpy as np
import pandas as pd


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--out", default="bench-data/adjusted-10000000.csv")
    args = parser.parse_args()
    rng = np.random.default_rng(2026_12_04)
    n = args.rows
    segments = np.array(["s1", "s2", "s3", "s4", "s5"])
    variants = np.array(["control", "v1", "v2"])
    segment = rng.integers(0, 5, n)
    variant = rng.integers(0, 3, n)
    habit = rng.lognormal(0, 0.5, n)
    basket = np.round(30 * np.sqrt(habit) * rng.uniform(0.85, 1.15, n), 2)
    orders = rng.poisson(habit)
    orders_before = rng.poisson(habit)
    lift = np.where(variant == 1, 1.03, np.where(variant == 2, 1.0 + 0.01 * segment, 1.0))
    revenue = np.round(orders * basket * lift * rng.uniform(0.9, 1.1, n), 2)
    revenue_before = np.round(orders_before * basket * rng.uniform(0.9, 1.1, n), 2)
    frame = pd.DataFrame({
        "unit_id": np.char.add("u", np.arange(n).astype(str)),
        "variant": variants[variant], "segment": segments[segment],
        "converted": (orders > 0).astype(np.int8), "revenue": revenue, "orders": orders,
        "revenue_before": revenue_before, "orders_before": orders_before,
    })
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False)
    print(f"wrote {out} ({n} rows, {out.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
