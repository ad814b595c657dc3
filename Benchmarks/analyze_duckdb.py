#!/usr/bin/env python3
"""DuckDB's GROUP BY over the benchmark CSV: the sufficient statistics `strata analyze` computes
(units, conversions, revenue count, sum and sum of squares per variant x segment), no tests.

    python3 Benchmarks/analyze_duckdb.py bench-data/analyze-10m.csv [THREADS]

THREADS sets DuckDB's worker threads (default: its own, the machine's cores).
"""
import sys

import duckdb


def main(path, threads=None):
    if threads:
        duckdb.sql(f"SET threads = {int(threads)}")
    query = f"""
        SELECT variant, segment, count(*) AS n, sum(converted) AS conversions,
               count(revenue) AS revenue_n, sum(revenue) AS revenue_sum, sum(revenue * revenue) AS revenue_sum_sq
        FROM read_csv('{path}', header = true)
        GROUP BY variant, segment ORDER BY segment, variant
    """
    print(duckdb.sql(query).fetchall())


if __name__ == "__main__":
    main(*sys.argv[1:3])
