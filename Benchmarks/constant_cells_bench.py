"""The engine cost of the constant-cell handling in the first cells query (run by hand, never by the tests).

Since 2b61e8a every continuous column's `<col>_shift` and sums are wrapped in `CASE WHEN MAX(u.mN) - MIN(u.mN) = 0
THEN ... ELSE <the same sum> END`: two more aggregates per continuous column and cell. This times the query with and
without them on the same loaded rows, interleaved (A B, then B A, ...), and prints min / median / max of the wall
time and of the engine's CPU time (DuckDB: this process's, its threads included; PostgreSQL: the backend's, from
/proc, so parallel workers are not counted: the cluster runs without them, max_parallel_workers_per_gather=0) per
engine, and the per-round ratio with/without.

usage: python Benchmarks/constant_cells_bench.py DEFINITION.yaml UNITS.csv [--rows N] [--rounds 5]
           [--engines duckdb,postgres] [--duckdb-threads 2] [--strata .build/debug/strata] [--no-duplicate-check]
Run it with a python that has duckdb (bench-data/duckdb-venv, or the warehouse venv that
Scripts/ensure-warehouse-deps.sh prints); PostgreSQL needs its server binaries (a throwaway cluster in a temporary
directory, removed at the end). The CSV's header must hold the definition's columns (unit, variant, segment column,
metric columns); `--rows` loads its first N rows. DuckDB holds the rows in memory; PostgreSQL in an unlogged table.

"Without" is `strata sql`'s text with the handling taken out again (each `CASE WHEN MAX(...) - MIN(...) = 0 THEN x
ELSE y END` back to `y`, and the shift back to `MIN(c.kN)`), which is the text `strata sql` printed before 2b61e8a
(checked against main 16322ba's build for Benchmarks/analyze_bench.yaml and the segments definitions). Both results
must agree: the same rows, and every non-constant cell's values the same (to 1e-9 relative: DuckDB with several
threads adds in a varying order).
"""
import argparse
import csv
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

import duckdb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Warehouse"))
from postgres_cluster import Cluster  # noqa: E402

CONDITION = r"MAX\(u\.m\d+\) - MIN\(u\.m\d+\) = 0"
SUM = re.compile(rf"^  CASE WHEN {CONDITION}(?: OR {CONDITION})* THEN CAST\(0\.0 AS [^()]*(?:\([^()]*\))?\) "
                 r"ELSE (.*) END AS (\S+?)(,?)$")
SHIFT = re.compile(r"^  CASE WHEN MAX\(u\.m(\d+)\) - MIN\(u\.m\1\) = 0 THEN MIN\(u\.m\1\) ELSE (MIN\(c\.k\1\)) END "
                   r"AS (\S+?)(,?)$")


def without_constant_handling(text):
    lines = []
    for line in text.split("\n"):
        if m := SHIFT.match(line):
            line = f"  {m.group(2)} AS {m.group(3)}{m.group(4)}"
        elif m := SUM.match(line):
            line = f"  {m.group(1)} AS {m.group(2)}{m.group(3)}"
        lines.append(line)
    result = "\n".join(lines)
    assert "MAX(u.m" not in result, "every wrapped expression was taken out"
    return result


def query(strata, definition, dialect, extra):
    return subprocess.run([strata, "sql", "--experiment", definition, "--dialect", dialect, "--table", "units", *extra],
                          check=True, capture_output=True, text=True).stdout


def load_duckdb(path, rows, threads):
    con = duckdb.connect()
    con.execute(f"SET threads TO {threads}")
    con.execute("SET enable_progress_bar = false")
    limit = f" LIMIT {rows}" if rows else ""
    con.execute(f"CREATE TABLE units AS SELECT * FROM read_csv_auto('{path}', header = true){limit}")
    return con


def load_postgres(path, rows, header):
    cluster = Cluster().start(settings="-c shared_buffers=1GB -c work_mem=256MB -c max_parallel_workers_per_gather=0")
    types = {"unit_id": "TEXT", "member_id": "TEXT", "variant": "TEXT", "segment": "TEXT"}
    columns = ", ".join(f'"{c}" {types.get(c, "DOUBLE PRECISION")}' for c in header)
    cluster.psql("-c", f"CREATE UNLOGGED TABLE units ({columns})")
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as part:
        with open(path) as source:
            for index, line in enumerate(source):
                if rows and index > rows:
                    break
                part.write(line)
    os.chmod(part.name, 0o644)
    cluster.psql("-c", f"\\copy units FROM '{part.name}' WITH (FORMAT csv, HEADER true)")
    os.unlink(part.name)
    cluster.psql("-c", "VACUUM ANALYZE units")
    return cluster


def run_postgres(cluster, text):
    """The result and the backend's CPU seconds for the query (user + system from /proc/PID/stat, 10 ms ticks)."""
    ticks = "\\! awk '{print \"cpu\", $14 + $15}' /proc/$BACKEND/stat\n"
    script = "SELECT pg_backend_pid() AS backend \\gset\n\\setenv BACKEND :backend\n"
    script += ticks + text.rstrip() + ";\n" + ticks
    output = cluster.psql("--csv", "-f", "-", input=script).stdout.splitlines()
    cpu = [int(line.split()[1]) for line in output if line.startswith("cpu ")]
    table = list(csv.reader(line for line in output if not line.startswith("cpu ")))
    return (table[0], [tuple(row) for row in table[1:]]), (cpu[1] - cpu[0]) / os.sysconf("SC_CLK_TCK")


def run_duckdb(con, text):
    """The result and this process's CPU seconds for it (DuckDB's threads included)."""
    started = time.process_time()
    result = con.execute(text)
    rows = [tuple(str(v) for v in row) for row in result.fetchall()]
    return ([d[0] for d in result.description], rows), time.process_time() - started


def same(x, y):
    """Equal text, or numbers within 1e-9 relative: a parallel engine adds a cell's values in a varying order."""
    if x == y:
        return True
    try:
        a, b = float(x), float(y)
    except ValueError:
        return False
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


def compare(a, b):
    """The same cells; a cell whose shift differs (a constant one) is skipped, every other the same."""
    (columns, rows_a), (_, rows_b) = a, b
    assert len(rows_a) == len(rows_b), "the same cells"
    shifts = [i for i, c in enumerate(columns) if c.endswith("_shift")]
    constant = 0
    for x, y in zip(rows_a, rows_b):
        if any(x[i] != y[i] for i in shifts):
            constant += 1
            continue
        assert all(same(p, q) for p, q in zip(x, y)), (x, y)
    return constant


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("definition")
    parser.add_argument("data")
    parser.add_argument("--rows", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--engines", default="duckdb,postgres")
    parser.add_argument("--duckdb-threads", type=int, default=2)
    parser.add_argument("--strata", default=os.path.join(ROOT, ".build", "debug", "strata"))
    parser.add_argument("--no-duplicate-check", action="store_true")
    args = parser.parse_args()
    extra = ["--no-duplicate-check"] if args.no_duplicate_check else []
    with open(args.data) as f:
        header = next(csv.reader(f))
    engines = args.engines.split(",")
    runners, cleanups = {}, []
    for engine in engines:
        started = time.perf_counter()
        if engine == "duckdb":
            con = load_duckdb(args.data, args.rows, args.duckdb_threads)
            runners[engine] = lambda text, con=con: run_duckdb(con, text)
        else:
            cluster = load_postgres(args.data, args.rows, header)
            cleanups.append(cluster.stop)
            runners[engine] = lambda text, cluster=cluster: run_postgres(cluster, text)
        print(f"{engine}: loaded in {time.perf_counter() - started:.1f} s", flush=True)
    try:
        texts = {}
        for engine in engines:
            with_text = query(args.strata, args.definition, engine, extra)
            texts[engine] = {"with": with_text, "without": without_constant_handling(with_text)}
        times = {(e, v): [] for e in engines for v in ("without", "with")}
        cpus = {(e, v): [] for e in engines for v in ("without", "with")}
        for round_ in range(args.rounds):
            for engine in engines:
                order = ["without", "with"] if round_ % 2 == 0 else ["with", "without"]
                results = {}
                for variant in order:
                    started = time.perf_counter()
                    results[variant], cpu = runners[engine](texts[engine][variant])
                    elapsed = time.perf_counter() - started
                    times[(engine, variant)].append(elapsed)
                    cpus[(engine, variant)].append(cpu)
                    print(f"round {round_ + 1} {engine} {variant}: wall {elapsed:.2f} s, CPU {cpu:.2f} s "
                          f"(load {os.getloadavg()[0]:.2f})", flush=True)
                constant = compare(results["without"], results["with"])
                if round_ == 0:
                    print(f"{engine}: {len(results['with'][1])} cells, {constant} with a constant column", flush=True)
        for engine in engines:
            for kind, table in (("wall", times), ("CPU", cpus)):
                a, b = table[(engine, "without")], table[(engine, "with")]
                ratios = [y / x for x, y in zip(a, b) if x > 0]
                print(f"{engine} {kind}: without {min(a):.2f} / {statistics.median(a):.2f} / {max(a):.2f} s, "
                      f"with {min(b):.2f} / {statistics.median(b):.2f} / {max(b):.2f} s (min / median / max); "
                      f"with/without per round {min(ratios):.3f} / {statistics.median(ratios):.3f} / "
                      f"{max(ratios):.3f}")
    finally:
        for cleanup in cleanups:
            cleanup()


if __name__ == "__main__":
    main()
