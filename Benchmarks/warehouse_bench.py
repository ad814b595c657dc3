"""Pushdown benchmark (run by hand, never by the tests): the `strata sql` query on DuckDB (Parquet), on
PostgreSQL 15 (a throwaway cluster, through `strata analyze --database`) and on Spark local[2] (Parquet),
then `strata analyze` of the returned cells, against `strata analyze` streaming the same rows as CSV.

usage: python Benchmarks/warehouse_bench.py ROWS [ROWS ...] [--engines duckdb,postgres,spark]
           [--repeats 3[,2]] [--cells-runs 20] [--strata .build/release/strata] [--no-stream]
Run it with the warehouse venv's python (Scripts/ensure-warehouse-deps.sh prints it): it needs duckdb and
pyspark, and PostgreSQL's server binaries. Data goes to bench-data/ (git-ignored; generated once per size
and reused); the PostgreSQL cluster lives in a temporary directory and is removed at the end.

Several sizes in one run (e.g. `10000000 100000000`) are loaded side by side and measured in the same
rounds, so the 10 M → 100 M ratio of each engine comes from the same machine conditions. `--repeats` is one
count for every size or one per size (`3,2`: three rounds of the first size, two of the second).

The machine is shared, so every measurement is repeated with the engines and sizes interleaved (each
round runs every engine on every size), every timing is printed as it is taken (a run cut short still
leaves figures), and min / median / max are printed at the end with the load average of each round. Each
engine runs the query with the duplicate-unit check (the default: a window over unit ids) and with
`--no-duplicate-check`; all engines must return the same cells for a size.

The cells step (`strata analyze --data` of the cells DuckDB returned) is timed `--cells-runs` times per
size after the first round, interleaved with `strata --version` (process start-up and exit alone), in wall
time and in CPU time (user + system, from wait4 on /usr/bin/time). Each engine is given about 4 GB: DuckDB's memory_limit (it
spills to bench-data/duckdb-tmp), Spark's driver memory, PostgreSQL's shared_buffers 1 GB + work_mem.
"""
import argparse
import json
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
    con.execute("SET enable_progress_bar = false")
    if not os.path.exists(parquet):
        con.execute(f"""COPY (SELECT 'm' || i AS member_id,
            ['control','reminder_progress','reminder_social'][1 + (hash(i) % 3)::INT] AS variant,
            ['high','medium','low'][1 + (hash(i * 7) % 3)::INT] AS segment,
            CASE WHEN hash(i * 11) % 100 < 62 THEN 1 ELSE 0 END AS renewed,
            CASE WHEN hash(i * 13) % 100 < 5 THEN NULL ELSE 400 + (hash(i * 17) % 20000) / 100.0 END AS revenue
          FROM range({rows}) t(i)) TO '{parquet}.part' (FORMAT parquet)""")
        os.replace(f"{parquet}.part", parquet)
    if not os.path.exists(csv):
        con.execute(f"COPY (SELECT * FROM '{parquet}') TO '{csv}.part' (HEADER, FORMAT csv)")
        os.replace(f"{csv}.part", csv)
    return parquet, csv


def sql(strata, dialect, table, duplicates):
    args = [strata, "sql", "--experiment", DEFINITION, "--dialect", dialect, "--table", table]
    return subprocess.run(args + ([] if duplicates else ["--no-duplicate-check"]), capture_output=True, text=True,
                          check=True).stdout


def cells_of(columns, rows):
    """The cells' unit counts, to check that every engine returned the same."""
    return sorted((r[columns.index("variant")], r[columns.index("segment")], int(r[columns.index("n")]))
                  for r in rows)


def timed_child(args):
    """Runs `args` under /usr/bin/time with its output discarded; returns (wall seconds, user + system CPU
    seconds, peak RSS MB). CPU comes from wait4 on /usr/bin/time, which includes the command it reaped, at
    the kernel's resolution (/usr/bin/time prints only hundredths); the wrapper itself adds well under a
    millisecond of CPU and about a millisecond of wall, as it does to the `strata --version` baseline. Peak
    RSS is /usr/bin/time's figure for the command (a child forked from this Python process would report
    Python's own peak in its rusage)."""
    started = time.perf_counter()
    child = subprocess.Popen(["/usr/bin/time", "-f", "%M", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    error = child.stderr.read().decode()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    child.stderr.close()
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {child.returncode}: {error}")
    return wall, usage.ru_utime + usage.ru_stime, int(error.strip().splitlines()[-1]) / 1024


class DuckDB:
    name = "DuckDB (Parquet, 2 threads)"

    def __init__(self, files, strata):
        self.con = duckdb.connect()
        os.makedirs(f"{DATA}/duckdb-tmp", exist_ok=True)
        for setting in ("threads TO 2", "memory_limit = '4GB'", f"temp_directory = '{DATA}/duckdb-tmp'",
                        "enable_progress_bar = false"):
            self.con.execute(f"SET {setting}")
        self.queries = {}
        for rows, (parquet, _) in files.items():
            self.con.execute(f"CREATE VIEW units_{rows} AS SELECT * FROM '{parquet}'")
            self.queries.update({(rows, d): sql(strata, "duckdb", f"units_{rows}", d) for d in (True, False)})

    def run(self, rows, duplicates):
        result = self.con.execute(self.queries[(rows, duplicates)])
        columns = [d[0] for d in result.description]
        records = result.fetchall()
        if duplicates:
            with open(f"{DATA}/cells-{rows}.csv", "w") as out:
                out.write(",".join(f'"{c}"' if "," in c else c for c in columns) + "\n")
                for row in records:
                    out.write(",".join("" if v is None else repr(float(v)) if isinstance(v, float) else str(v)
                                       for v in row) + "\n")
        return cells_of(columns, records)


class Postgres:
    name = "PostgreSQL 15 (`strata analyze --database`)"

    def __init__(self, files, strata):
        self.strata = strata
        self.cluster = Cluster().start(settings="-c shared_buffers=1GB -c work_mem=256MB -c max_wal_size=8GB")
        self.load_seconds = {}
        for rows, (_, csv) in files.items():
            self.cluster.psql("-c", f"CREATE TABLE units_{rows} (member_id TEXT, variant TEXT, segment TEXT, "
                                    "renewed INTEGER, revenue DOUBLE PRECISION)")
            started = time.perf_counter()
            with open(csv) as data:
                subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-p", str(self.cluster.port), "-U", "postgres",
                                "-d", "postgres", "-c",
                                f"\\copy units_{rows} FROM STDIN WITH (FORMAT csv, HEADER true)"],
                               stdin=data, check=True, capture_output=True)
            self.cluster.psql("-c", f"VACUUM ANALYZE units_{rows}")
            self.load_seconds[rows] = time.perf_counter() - started
            print(f"  PostgreSQL: COPY + VACUUM ANALYZE of {rows:,} rows {self.load_seconds[rows]:.1f} s",
                  flush=True)
        self.url = f"postgresql://postgres@127.0.0.1:{self.cluster.port}/postgres"

    def run(self, rows, duplicates):
        args = [self.strata, "analyze", "--experiment", DEFINITION, "--database", self.url, "--table",
                f"units_{rows}", "--json", "--no-look-log"] + ([] if duplicates else ["--no-duplicate-check"])
        data = json.loads(subprocess.run(args, capture_output=True, text=True, check=True).stdout)["data"]
        return sorted((u["variant"], u["segment"], u["units"]) for u in data["units"])

    def close(self):
        self.cluster.stop()


class Spark:
    name = "Spark local[2] (Parquet)"

    def __init__(self, files, strata):
        from pyspark.sql import SparkSession
        self.session = (SparkSession.builder.master("local[2]").appName("strata-warehouse-bench")
                        .config("spark.ui.enabled", "false").config("spark.driver.memory", "4g")
                        .config("spark.sql.shuffle.partitions", "8")
                        .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
                        .getOrCreate())
        self.queries = {}
        for rows, (parquet, _) in files.items():
            self.session.read.parquet(parquet).createOrReplaceTempView(f"units_{rows}")
            self.queries.update({(rows, d): sql(strata, "spark", f"units_{rows}", d) for d in (True, False)})

    def run(self, rows, duplicates):
        result = self.session.sql(self.queries[(rows, duplicates)])
        return cells_of(result.columns, [tuple(r) for r in result.collect()])

    def close(self):
        self.session.stop()


def summary(values, unit="s", scale=1.0, digits=2):
    values = [v * scale for v in values]
    return (f"{min(values):.{digits}f} / {statistics.median(values):.{digits}f} / {max(values):.{digits}f} {unit}"
            f" (n={len(values)})")


def load():
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def measure_cells_step(strata, sizes, runs, results):
    """`strata --version` and `strata analyze` of each size's cells file, interleaved, `runs` times each."""
    commands = {"strata --version (start-up and exit)": [strata, "--version"]}
    for rows in sizes:
        cells = f"{DATA}/cells-{rows}.csv"
        if os.path.exists(cells):
            commands[f"strata analyze of the {rows:,}-row cells"] = [
                strata, "analyze", "--experiment", DEFINITION, "--data", cells, "--json", "--no-look-log"]
    print(f"cells step: {runs} interleaved runs, load average {load()}", flush=True)
    for _ in range(runs):
        for name, args in commands.items():
            results.setdefault(name, []).append(timed_child(args))
    print_cells_step(results)
    print(f"cells step done, load average {load()}", flush=True)


def print_cells_step(results):
    for name, values in results.items():
        print(f"  {name}: wall {summary([w for w, _, _ in values], 'ms', 1000, 1)}, CPU (user + system) "
              f"{summary([c for _, c, _ in values], 'ms', 1000, 1)}, peak RSS {max(r for _, _, r in values):.0f} MB",
              flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", type=int, nargs="+")
    parser.add_argument("--engines", default="duckdb,postgres,spark")
    parser.add_argument("--repeats", default="3", help="rounds: one count, or one per size (3,2)")
    parser.add_argument("--cells-runs", type=int, default=20)
    parser.add_argument("--strata", default=os.path.join(ROOT, ".build", "release", "strata"))
    parser.add_argument("--no-stream", action="store_true", help="skip strata analyze streaming the CSV")
    options = parser.parse_args()
    repeats = [int(r) for r in options.repeats.split(",")]
    repeats = dict(zip(options.rows, repeats if len(repeats) == len(options.rows) else repeats[:1] * len(options.rows)))
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, sizes {options.rows}, rounds {repeats}, "
          f"{options.strata}, load average {load()}", flush=True)
    files = {}
    for rows in options.rows:
        started = time.perf_counter()
        files[rows] = generate(rows)
        print(f"data {rows:,} rows ready in {time.perf_counter() - started:.1f} s", flush=True)
    engines = []
    try:
        for key in options.engines.split(","):
            started = time.perf_counter()
            engine = {"duckdb": DuckDB, "postgres": Postgres, "spark": Spark}[key](files, options.strata)
            print(f"{engine.name}: set up in {time.perf_counter() - started:.1f} s, load average {load()}",
                  flush=True)
            engines.append(engine)
        times = {(e.name, rows, d): [] for e in engines for rows in options.rows for d in (True, False)}
        stream, cells_step, loads = {rows: [] for rows in options.rows}, {}, []
        for repeat in range(max(repeats.values())):
            loads.append(os.getloadavg()[0])
            for engine in engines:
                for rows in options.rows:
                    if repeat >= repeats[rows]:
                        continue
                    reference = None
                    for duplicates in (True, False):
                        started = time.perf_counter()
                        cells = engine.run(rows, duplicates)
                        elapsed = time.perf_counter() - started
                        times[(engine.name, rows, duplicates)].append(elapsed)
                        print(f"  round {repeat + 1} {engine.name} {rows:,} rows "
                              f"{'duplicate check' if duplicates else '--no-duplicate-check'}: {elapsed:.2f} s "
                              f"(load {load()})", flush=True)
                        assert reference is None or cells == reference, f"{engine.name} returned other cells"
                        reference = cells
            if not options.no_stream:
                for rows in options.rows:
                    if repeat < repeats[rows]:
                        wall, cpu, rss = timed_child([options.strata, "analyze", "--experiment", DEFINITION,
                                                      "--data", files[rows][1], "--json", "--no-look-log"])
                        stream[rows].append((wall, cpu, rss))
                        print(f"  round {repeat + 1} strata analyze streaming the {rows:,}-row CSV: wall {wall:.2f} s,"
                              f" CPU {cpu:.2f} s, peak RSS {rss:.0f} MB (load {load()})", flush=True)
            loads.append(os.getloadavg()[0])
            print(f"round {repeat + 1} done, load average {load()}", flush=True)
            if repeat == 0:  # the cells files exist now: measure the cells step before the long rounds
                measure_cells_step(options.strata, options.rows, options.cells_runs, cells_step)
    finally:
        for engine in engines:
            if hasattr(engine, "close"):
                engine.close()
    print(f"\n{time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}: min / median / max, engines and sizes "
          f"interleaved; 1-minute load average during the rounds {min(loads):.1f}–{max(loads):.1f}")
    for (name, rows, duplicates), values in times.items():
        if values:
            print(f"  {name}, {rows:,} rows, {'duplicate check' if duplicates else '--no-duplicate-check'}: "
                  f"{summary(values)}")
    if len(options.rows) > 1:
        small, large = options.rows[0], options.rows[-1]
        print(f"  scaling {small:,} → {large:,} rows (ratio of medians; rows ×{large / small:g}):")
        for (name, rows, duplicates), values in times.items():
            if rows == large and values and times[(name, small, duplicates)]:
                ratio = statistics.median(values) / statistics.median(times[(name, small, duplicates)])
                print(f"    {name}, {'duplicate check' if duplicates else '--no-duplicate-check'}: ×{ratio:.1f}")
        if stream[small] and stream[large]:
            ratio = statistics.median(w for w, _, _ in stream[large]) / statistics.median(w for w, _, _ in stream[small])
            print(f"    strata analyze streaming the CSV: ×{ratio:.1f}")
    for rows, values in stream.items():
        if values:
            print(f"  strata analyze streaming the {rows:,}-row CSV (duplicate check on): wall "
                  f"{summary([w for w, _, _ in values])}, CPU {summary([c for _, c, _ in values])}, peak RSS "
                  f"{max(r for _, _, r in values):.0f} MB")
    print_cells_step(cells_step)
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
