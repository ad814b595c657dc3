#!/usr/bin/env python3
"""Generates the `strata analyze` benchmark data: a unit-level CSV with N rows (default 10 M), 5 segments,
3 variants, one binary metric (`converted`) and one continuous metric (`revenue`, 5% missing).

    python3 Benchmarks/analyze_bench_data.py [--rows 10000000] [--out bench-data/analyze-10m.csv]
"""
import argparse
import pathlib

import numpy as np
import pandas as pd


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--out", default="bench-data/analyze-10m.csv")
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    n = args.rows
    segments = np.array(["s1", "s2", "s3", "s4", "s5"])
    variants = np.array(["control", "v1", "v2"])
    segment = rng.integers(0, 5, n)
    variant = rng.integers(0, 3, n)
    base = np.array([0.05, 0.08, 0.12, 0.2, 0.3])[segment]
    lift = np.where(variant == 1, 0.01, np.where(variant == 2, 0.005 * segment, 0.0))
    converted = (rng.random(n) < base + lift).astype(np.int8)
    revenue = np.round(rng.gamma(2.0, 15.0, n) + converted * 20, 2).astype(object)
    revenue[rng.random(n) < 0.05] = ""
    frame = pd.DataFrame({
        "unit_id": np.char.add("u", np.arange(n).astype(str)),
        "variant": variants[variant], "segment": segments[segment],
        "converted": converted, "revenue": revenue,
    })
    out = pathlib.Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False)
    print(f"wrote {out} ({n} rows, {out.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
