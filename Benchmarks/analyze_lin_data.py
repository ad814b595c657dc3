#!/usr/bin/env python3
"""Generates the data of the Lin's-regression cost figure in docs/analyze.md ("Cost, measured"): a unit-level
CSV of N units (3 variants, 2 segments) with `spend` (continuous) and `renewed` (0/1) and two pre-period
columns, `visits_before` and `spend_before`, for Benchmarks/analyze_lin.yaml (both metrics with covariates:).
Standard library only, seeded.

    python3 Benchmarks/analyze_lin_data.py 1000000 bench-data/lin-1000000.csv
    strata analyze --experiment Benchmarks/analyze_lin.yaml --data bench-data/lin-1000000.csv --threads 1 --json
"""
import random
import sys


def main():
    n, path = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(5)
    with open(path, "w") as out:
        out.write("unit_id,variant,segment,spend,renewed,visits_before,spend_before\n")
        for i in range(n):
            variant = rng.choice(["control", "a", "b"])
            segment = rng.choice(["new", "old"])
            visits = rng.randrange(0, 20)
            before = round(rng.gauss(100, 30), 2)
            spend = round(0.7 * before + 2 * visits + rng.gauss(0, 20) + (3 if variant != "control" else 0), 2)
            renewed = 1 if rng.random() < 0.3 + 0.01 * visits else 0
            out.write(f"u{i},{variant},{segment},{spend},{renewed},{visits},{before}\n")


if __name__ == "__main__":
    main()
