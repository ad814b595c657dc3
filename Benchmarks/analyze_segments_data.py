#!/usr/bin/env python3
"""Generates the segment-scaling benchmark for `strata analyze`: the same N rows (default 10 M) spread over S
segments and V variants, with one binary and one continuous metric, and the experiment YAML that names them.

    python3 Benchmarks/analyze_segments_data.py --rows 10000000 --segments 2000 --variants 3 \
        --out bench-data/segments-2000x3.csv --experiment bench-data/segments-2000x3.yaml

Segment names are `seg-1` .. `seg-S`, variants `control`, `v1` .. `v(V-1)`; every row draws its segment and
variant uniformly. Without `--name-digits` the names' lengths grow with S (`seg-5` against `seg-1704`: 2.4 bytes a
row more at 2,000 segments than at 5). `--name-digits 5` writes `seg-00001` .. for every S up to 99,999, so files of
the same row count and number of variants have the same bytes (to within 0.001%) and only the number of distinct
segment names changes.
"""
import argparse
import pathlib

import numpy as np
import pandas as pd


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--segments", type=int, default=5)
    parser.add_argument("--variants", type=int, default=3)
    parser.add_argument("--out", required=True)
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--name-digits", type=int, default=0, help="zero-pad segment numbers to this many digits")
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    n, s, v = args.rows, args.segments, args.variants
    segments = np.array([f"seg-{i + 1:0{args.name_digits}d}" if args.name_digits else f"seg-{i + 1}" for i in range(s)])
    variants = np.array(["control"] + [f"v{i}" for i in range(1, v)])
    segment = rng.integers(0, s, n)
    variant = rng.integers(0, v, n)
    base = 0.05 + 0.25 * (segment % 5) / 4
    converted = (rng.random(n) < base + 0.01 * (variant > 0)).astype(np.int8)
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
    lines = [
        f"# Segment-scaling benchmark: {s} segments, {v} variants (Benchmarks/analyze_segments_data.py).",
        f"id: segments-{s}x{v}", f"name: Segment scaling {s} x {v}", "unit: unit_id", "variants:",
    ]
    lines += [f"  - key: {name}" for name in variants]
    lines.append("segments:")
    for name in segments[:-1]:
        lines += [f"  - name: {name}", f'    rule: tier == "{name}"']
    lines.append(f"  - name: {segments[-1]}")
    lines += [
        "metrics:", "  - name: converted", "    kind: binomial", "    role: primary", "    missing: zero",
        "  - name: revenue", "    kind: continuous", "    role: secondary", "    missing: exclude",
        "plan:", "  alpha: 0.05", "  power: 0.8", "  baseline: 0.1", "  mde: 0.005", "",
    ]
    pathlib.Path(args.experiment).write_text("\n".join(lines))
    print(f"wrote {out} ({n} rows, {s} segments, {v} variants, {out.stat().st_size / 1e6:.0f} MB)")


if __name__ == "__main__":
    main()
