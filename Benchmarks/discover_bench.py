#!/usr/bin/env python3
"""Speed of `strata discover` against scikit-learn doing the same work, single-threaded both.

Writes a seeded audience of UNITS units x 10 numeric features (5 planted groups plus noise) to a CSV, then times:
- strata: `strata discover --features f0..f9 --k 2..8 --n-init 4` end to end (CSV parsing, the honest split,
  z-scores, k-means for every k, the silhouette on a 4,000-unit sample, Davies-Bouldin, writing the definition);
- scikit-learn on the same discovery half (the split recomputed with mmh3): `StandardScaler`, then for every
  k in 2..8 `KMeans(n_clusters=k, n_init=4, algorithm="lloyd")`, `silhouette_score(sample_size=4000)` and
  `davies_bouldin_score`, under threadpoolctl's limit of 1 thread (and OMP/OPENBLAS/MKL_NUM_THREADS=1); CSV
  parsing with pandas is timed separately.
Peak memory (ru_maxrss) of each is reported next to the size of the clustered feature matrix (8 bytes x n x 10).

    PY=$(bash Scripts/fixtures/discovery_venv.sh)      # scikit-learn, numpy, mmh3 (+ pandas below)
    swift build -c release --product strata
    $PY Benchmarks/discover_bench.py --strata .build/release/strata --units 1000000 --runs 5

Each run is one strata run then one scikit-learn run (interleaved, so both see the same load); the CPU time and
peak RSS of each strata run are its own (os.wait4). `--algorithm elkan` times scikit-learn's bounded k-means instead
of Lloyd's (strata's Lloyd iterations skip rows by Hamerly's bounds, with the same result as plain Lloyd).

Run by hand (never by the tests); figures go to docs/discover.md.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

for variable in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"]:
    os.environ[variable] = "1"

# A child's peak RSS (ru_maxrss) counts the memory of the process it was forked from, so strata is started by a
# small launcher process created now, before numpy and the audience fill this one. It reads an argument list per
# line and answers with the child's exit status, wall seconds, CPU seconds and peak RSS (from os.wait4).
LAUNCHER_CODE = """
import json, os, sys, time
for line in sys.stdin:
    argv = json.loads(line)
    start = time.perf_counter()
    with open(os.devnull, "wb") as out, open(argv[0], "wb") as err:
        pid = os.fork()
        if pid == 0:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            os.execv(argv[1], argv[1:])
        _, status, usage = os.wait4(pid, 0)
    print(json.dumps([os.waitstatus_to_exitcode(status), time.perf_counter() - start,
                      usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024]), flush=True)
"""
LAUNCHER = subprocess.Popen([sys.executable, "-S", "-c", LAUNCHER_CODE], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)


def launch(stderr_path, argv):
    """Runs argv from the launcher: (exit status, wall seconds, CPU seconds, peak RSS in MB) of that child alone."""
    LAUNCHER.stdin.write(json.dumps([stderr_path] + argv) + "\n")
    LAUNCHER.stdin.flush()
    return json.loads(LAUNCHER.stdout.readline())


import mmh3  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.metrics import davies_bouldin_score, silhouette_score  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402


def write_audience(path, units, seed=20261203):
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 3, size=(5, 10))
    groups = rng.integers(0, 5, size=units)
    X = np.round(centres[groups] + rng.normal(0, 1.0, size=(units, 10)), 4)
    with open(path, "w") as f:
        f.write("unit_id," + ",".join(f"f{j}" for j in range(10)) + "\n")
        for i in range(units):
            f.write(f"u{i}," + ",".join(repr(float(v)) for v in X[i]) + "\n")
    return X


def run_strata(strata, csv, work):
    """One `strata discover` run: wall seconds, CPU seconds (user + system) and peak RSS in MB of that child alone."""
    errors = os.path.join(work, "strata.stderr")
    status, seconds, cpu, rss = launch(errors, [
        strata, "discover", "--input", csv, "--features", ",".join(f"f{j}" for j in range(10)), "--k", "2..8",
        "--n-init", "4", "--seed", "1", "--split-salt", "bench", "--output", os.path.join(work, "segments.yaml"),
        "--force", "--json"])
    if status != 0:
        sys.exit(open(errors).read())
    return seconds, cpu, rss


def run_sklearn(data, algorithm):
    """scikit-learn doing the same work on the discovery half: wall and CPU seconds, and the KMeans fits' CPU."""
    start = time.perf_counter()
    cpu_start = time.process_time()
    kmeans_cpu = 0.0
    with threadpool_limits(limits=1):
        Z = StandardScaler().fit_transform(data)
        for k in range(2, 9):
            phase = time.process_time()
            labels = KMeans(n_clusters=k, n_init=4, algorithm=algorithm, random_state=1).fit(Z).labels_
            kmeans_cpu += time.process_time() - phase
            silhouette_score(Z, labels, sample_size=4000, random_state=1)
            davies_bouldin_score(Z, labels)
    return time.perf_counter() - start, time.process_time() - cpu_start, kmeans_cpu


def spread(values):
    ordered = sorted(values)
    return f"min {ordered[0]:.2f}, median {statistics.median(ordered):.2f}, max {ordered[-1]:.2f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--strata", required=True)
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=1, help="interleaved runs of each (strata, scikit-learn, ...)")
    parser.add_argument("--algorithm", default="lloyd", choices=["lloyd", "elkan"],
                        help="scikit-learn's KMeans algorithm (elkan: its bounded variant, for comparison)")
    args = parser.parse_args()
    work = tempfile.mkdtemp()
    csv = os.path.join(work, "audience.csv")
    X = write_audience(csv, args.units)
    print(f"audience: {args.units} units x 10 features ({os.path.getsize(csv) / 1e6:.0f} MB CSV)")
    discovery = np.array([mmh3.hash(f"discover:bench:u{i}".encode(), 0, signed=False) % 10000 < 5000
                          for i in range(args.units)])
    data = X[discovery]
    matrix_mb = data.shape[0] * 10 * 8 / 1e6
    print(f"clustered (discovery half): {data.shape[0]} units; feature matrix {matrix_mb:.0f} MB "
          f"(the whole audience's: {args.units * 10 * 8 / 1e6:.0f} MB)")

    floor = launch(os.path.join(work, "true.stderr"), ["/bin/true"])[3]
    print(f"peak RSS of /bin/true started the same way (the floor of the strata figures): {floor:.1f} MB")
    rows = []
    for run in range(args.runs):
        load_before = os.getloadavg()[0]
        strata_wall, strata_cpu, strata_rss = run_strata(args.strata, csv, work)
        sklearn_wall, sklearn_cpu, kmeans_cpu = run_sklearn(data, args.algorithm)
        load_after = os.getloadavg()[0]
        rows.append((strata_wall, strata_cpu, strata_rss, sklearn_wall, sklearn_cpu, kmeans_cpu))
        # On a shared machine the wall clock depends on the other processes; CPU time (user + system) much less.
        print(f"run {run + 1}: strata {strata_cpu:.1f} s CPU ({strata_wall:.1f} s wall, peak RSS {strata_rss:.0f} MB); "
              f"scikit-learn ({args.algorithm}) {sklearn_cpu:.1f} s CPU ({sklearn_wall:.1f} s wall; KMeans fits "
              f"{kmeans_cpu:.1f} s); CPU ratio {strata_cpu / sklearn_cpu:.2f}; load {load_before:.1f} -> {load_after:.1f}",
              flush=True)
    sklearn_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"strata discover (end to end, CSV included): CPU {spread([r[1] for r in rows])} s; "
          f"wall {spread([r[0] for r in rows])} s; peak RSS {spread([r[2] for r in rows])} MB")
    print(f"scikit-learn (scaling + KMeans + scores, CSV not included): CPU {spread([r[4] for r in rows])} s; "
          f"wall {spread([r[3] for r in rows])} s; KMeans fits CPU {spread([r[5] for r in rows])} s; "
          f"peak RSS of this Python process {sklearn_rss:.0f} MB")
    print(f"CPU ratio strata / scikit-learn, per run: {spread([r[1] / r[4] for r in rows])}")
    print(f"wall ratio, per run: {spread([r[0] / r[3] for r in rows])}")
    print(f"on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
