"""Pushdown benchmark (run by hand): DuckDB over Parquet with the `strata sql` query, then `strata analyze`
of the returned cells, against `strata analyze` streaming the same rows as CSV.

usage: python Benchmarks/warehouse_bench.py ROWS [STRATA]   (the warehouse venv's python: it needs duckdb)
Data goes to bench-data/ (git-ignored)."""
import os, subprocess, sys, time
import duckdb

rows = int(sys.argv[1]); strata = sys.argv[2] if len(sys.argv) > 2 else ".build/release/strata"
os.makedirs("bench-data", exist_ok=True)
definition = "experiments/gym-renewal.yaml"
parquet, csv = f"bench-data/units-{rows}.parquet", f"bench-data/units-{rows}.csv"
con = duckdb.connect()
if not os.path.exists(parquet):
    con.execute(f"""COPY (SELECT 'm' || i AS member_id,
        ['control','reminder_progress','reminder_social'][1 + (hash(i) % 3)::INT] AS variant,
        ['high','medium','low'][1 + (hash(i * 7) % 3)::INT] AS segment,
        CASE WHEN hash(i * 11) % 100 < 62 THEN 1 ELSE 0 END AS renewed,
        CASE WHEN hash(i * 13) % 100 < 5 THEN NULL ELSE 400 + (hash(i * 17) % 20000) / 100.0 END AS revenue
      FROM range({rows}) t(i)) TO '{parquet}' (FORMAT parquet)""")
    con.execute(f"COPY (SELECT * FROM '{parquet}') TO '{csv}' (HEADER)")
con.execute(f"CREATE VIEW units AS SELECT * FROM '{parquet}'")
sql = subprocess.run([strata, "sql", "--experiment", definition, "--dialect", "duckdb", "--table", "units"],
                     capture_output=True, text=True, check=True).stdout
start = time.perf_counter(); con.execute(f"COPY ({sql}) TO 'bench-data/cells.csv' (HEADER)")
query = time.perf_counter() - start
def timed(args):
    start = time.perf_counter()
    subprocess.run([strata, "analyze", "--experiment", definition, "--no-look-log", "--json", *args],
                   check=True, capture_output=True)
    return time.perf_counter() - start
cells = min(timed(["--data", "bench-data/cells.csv"]) for _ in range(5))
stream = timed(["--data", csv, "--no-duplicate-check"])
print(f"rows {rows:,}: duckdb pushdown over parquet {query:.2f} s; analyze of the cells {cells * 1000:.0f} ms "
      f"(whole process, best of 5); analyze streaming the CSV {stream:.2f} s")
