"""Pushdown benchmark (run by hand, never by the tests): the `strata sql` query on DuckDB (Parquet), on
PostgreSQL 15 (a throwaway cluster, through `strata analyze --database`) and on Spark local[2] (Parquet),
then `strata analyze` of the returned cells, against `strata analyze` streaming the same rows as CSV.

usage: python Benchmarks/warehouse_bench.py ROWS [--engines duckdb,postgres,spark] [--repeats 3]
                                             [--strata .build/release/strata] [--no-stream]
Run it with the warehouse venv's python (Scripts/ensure-warehouse-deps.sh prints it): it needs duckdb and
pyspark, and PostgreSQL's server binaries. Data goes to bench-data/ (git-ignored); the PostgreSQL cluster
lives in a temporary directory and is removed at the end.

The machine is shared, so every measurement is repeated `--repeats` times with the engines interleaved
(engine A, B, C, then again), and min / median / max are printed, with the load average before and after.
Each engine runs the query with the duplicate-unit check (the default: a window over unit ids) and with
`--no-duplicate-check`; all engines must return the same cells.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

import duckdb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Warehouse"))
from postgres_cluster import Cluster  # noqa: E402

DEFINITION = os.path.join(ROOT, "experiments", "gym-renewal.yaml")
DATA = os.path.join(ROOT, "bench-data")


def generate(rows):
    """Seeded unit rows for the gym-renewal definition, as Parquet and CSV (once per size)."""
    os.makedirs(DATA, exist_ok=True)
    parquet, csv = f"{DATA}/units-{rows}.parquet", f"{DATA}/units-{rows}.csv"
    con = duckdb.connect()
    if not os.path.exists(parquet):
        con.execute(f"""COPY (SELECT 'm' || i AS member_id,
            ['control','reminder_progress','reminder_social'][1 + (hash(i) % 3)::INT] AS variant,
            ['high','medium','low'][1 + (hash(i * 7) % 3)::INT] AS segment,
            CASE WHEN hash(i * 11) % 100 < 62 THEN 1 ELSE 0 END AS renewed,
            CASE WHEN hash(i * 13) % 100 < 5 THEN NULL ELSE 400 + (hash(i * 17) % 20000) / 100.0 END AS revenue
          FROM range({rows}) t(i)) TO '{parquet}' (FORMAT parquet)""")
    if not os.path.exists(csv):
        con.execute(f"COPY (SELECT * FROM '{parquet}') TO '{csv}' (HEADER)")
    return parquet, csv


def sql(strata, dialect, table, duplicates):
    args = [strata, "sql", "--experiment", DEFINITION, "--dialect", dialect, "--table", table]
    return subprocess.run(args + ([] if duplicates else ["--no-duplicate-check"]), capture_output=True, text=True,
                          check=True).stdout


def cells_of(columns, rows):
    """The cells' unit counts, to check that every engine returned the same."""
    return sorted((r[columns.index("variant")], r[columns.index("segment")], int(r[columns.index("n")]))
                  for r in rows)


class DuckDB:
    name = "DuckDB (Parquet, 2 threads)"

    def __init__(self, parquet, strata):
        self.con = duckdb.connect()
        self.con.execute("SET threads TO 2")
        self.con.execute(f"CREATE VIEW units AS SELECT * FROM '{parquet}'")
        self.queries = {d: sql(strata, "duckdb", "units", d) for d in (True, False)}

    def run(self, duplicates):
        result = self.con.execute(self.queries[duplicates])
        columns = [d[0] for d in result.description]
        rows = result.fetchall()
        if duplicates:
            path = f"{DATA}/cells.csv"
            with open(path, "w") as out:
                out.write(",".join(f'"{c}"' if "," in c else c for c in columns) + "\n")
                for row in rows:
                    out.write(",".join("" if v is None else repr(float(v)) if isinstance(v, float) else str(v)
                                       for v in row) + "\n")
        return cells_of(columns, rows)


class Postgres:
    name = "PostgreSQL 15 (`strata analyze --database`)"

    def __init__(self, csv, strata):
        self.strata = strata
        self.cluster = Cluster().start(settings="-c shared_buffers=1GB -c work_mem=256MB -c max_wal_size=8GB")
        self.cluster.psql("-c", "CREATE TABLE units (member_id TEXT, variant TEXT, segment TEXT, renewed INTEGER, "
                                "revenue DOUBLE PRECISION)")
        started = time.perf_counter()
        with open(csv) as data:
            subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-p", str(self.cluster.port), "-U", "postgres", "-d",
                            "postgres", "-c", "\\copy units FROM STDIN WITH (FORMAT csv, HEADER true)"],
                           stdin=data, check=True, capture_output=True)
        self.cluster.psql("-c", "VACUUM ANALYZE units")
        self.load_seconds = time.perf_counter() - started
        self.url = f"postgresql://postgres@127.0.0.1:{self.cluster.port}/postgres"

    def run(self, duplicates):
        args = [self.strata, "analyze", "--experiment", DEFINITION, "--database", self.url, "--table", "units",
                "--json", "--no-look-log"] + ([] if duplicates else ["--no-duplicate-check"])
        import json
        data = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)["data"]
        return sorted((u["variant"], u["segment"], u["units"]) for u in data["units"])

    def close(self):
        self.cluster.stop()


class Spark:
    name = "Spark local[2] (Parquet)"

    def __init__(self, parquet, strata):
        from pyspark.sql import SparkSession
        self.session = (SparkSession.builder.master("local[2]").appName("strata-warehouse-bench")
                        .config("spark.ui.enabled", "false").config("spark.driver.memory", "4g")
                        .config("spark.sql.shuffle.partitions", "8")
                        .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                        .getOrCreate())
        self.session.read.parquet(parquet).createOrReplaceTempView("units")
        self.queries = {d: sql(strata, "spark", "units", d) for d in (True, False)}

    def run(self, duplicates):
        result = self.session.sql(self.queries[duplicates])
        return cells_of(result.columns, [tuple(r) for r in result.collect()])

    def close(self):
        self.session.stop()


def summary(times):
    return f"{min(times):.2f} / {statistics.median(times):.2f} / {max(times):.2f} s"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=int)
    parser.add_argument("--engines", default="duckdb,postgres,spark")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--strata", default=os.path.join(ROOT, ".build", "release", "strata"))
    parser.add_argument("--no-stream", action="store_true", help="skip strata analyze streaming the CSV")
    options = parser.parse_args()
    print(f"rows {options.rows:,}, load average before: {os.getloadavg()}", flush=True)
    parquet, csv = generate(options.rows)
    engines = []
    for key in options.engines.split(","):
        started = time.perf_counter()
        engine = {"duckdb": lambda: DuckDB(parquet, options.strata), "postgres": lambda: Postgres(csv, options.strata),
                  "spark": lambda: Spark(parquet, options.strata)}[key]()
        print(f"{engine.name}: set up in {time.perf_counter() - started:.1f} s"
              + (f" (COPY + VACUUM ANALYZE {engine.load_seconds:.1f} s)" if hasattr(engine, "load_seconds") else ""),
              flush=True)
        engines.append(engine)
    times = {(e.name, d): [] for e in engines for d in (True, False)}
    stream, cells_step = [], []
    try:
        for repeat in range(options.repeats):
            reference = None
            for engine in engines:
                for duplicates in (True, False):
                    started = time.perf_counter()
                    cells = engine.run(duplicates)
                    times[(engine.name, duplicates)].append(time.perf_counter() - started)
                    assert reference is None or cells == reference, f"{engine.name} returned other cells"
                    reference = cells
            if os.path.exists(f"{DATA}/cells.csv"):
                for _ in range(5):
                    started = time.perf_counter()
                    subprocess.run([options.strata, "analyze", "--experiment", DEFINITION, "--data",
                                    f"{DATA}/cells.csv", "--json", "--no-look-log"], check=True, capture_output=True)
                    cells_step.append(time.perf_counter() - started)
            if not options.no_stream:
                started = time.perf_counter()
                subprocess.run([options.strata, "analyze", "--experiment", DEFINITION, "--data", csv, "--json",
                                "--no-look-log"], check=True, capture_output=True)
                stream.append(time.perf_counter() - started)
            print(f"repeat {repeat + 1} done, load average {os.getloadavg()}", flush=True)
    finally:
        for engine in engines:
            if hasattr(engine, "close"):
                engine.close()
    print(f"\nrows {options.rows:,} (min / median / max of {options.repeats}, engines interleaved)")
    for (name, duplicates), values in times.items():
        print(f"  {name}, {'duplicate check' if duplicates else '--no-duplicate-check'}: {summary(values)}")
    if cells_step:
        print(f"  strata analyze of the returned cells (whole process): "
              f"{min(cells_step) * 1000:.0f} / {statistics.median(cells_step) * 1000:.0f} / "
              f"{max(cells_step) * 1000:.0f} ms")
    if stream:
        print(f"  strata analyze streaming the CSV (duplicate check on): {summary(stream)}")
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
