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
    $PY Benchmarks/discover_bench.py --strata .build/release/strata --units 1000000

Run by hand (never by the tests); figures go to docs/discover.md.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

for variable in ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"]:
    os.environ[variable] = "1"

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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--strata", required=True)
    parser.add_argument("--units", type=int, default=1_000_000)
    args = parser.parse_args()
    work = tempfile.mkdtemp()
    csv = os.path.join(work, "audience.csv")
    X = write_audience(csv, args.units)
    print(f"audience: {args.units} units x 10 features ({os.path.getsize(csv) / 1e6:.0f} MB CSV)")

    load_before = os.getloadavg()
    start = time.perf_counter()
    run = subprocess.run([args.strata, "discover", "--input", csv, "--features", ",".join(f"f{j}" for j in range(10)),
                          "--k", "2..8", "--n-init", "4", "--seed", "1", "--split-salt", "bench",
                          "--output", os.path.join(work, "segments.yaml"), "--json"], capture_output=True, text=True)
    strata_seconds = time.perf_counter() - start
    if run.returncode != 0:
        sys.exit(run.stderr)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    strata_cpu = children.ru_utime + children.ru_stime
    strata_rss = children.ru_maxrss / 1024

    discovery = np.array([mmh3.hash(f"discover:bench:u{i}".encode(), 0, signed=False) % 10000 < 5000
                          for i in range(args.units)])
    data = X[discovery]
    start = time.perf_counter()
    cpu_start = time.process_time()
    kmeans_cpu = 0.0
    with threadpool_limits(limits=1):
        Z = StandardScaler().fit_transform(data)
        for k in range(2, 9):
            phase = time.process_time()
            labels = KMeans(n_clusters=k, n_init=4, algorithm="lloyd", random_state=1).fit(Z).labels_
            kmeans_cpu += time.process_time() - phase
            silhouette_score(Z, labels, sample_size=4000, random_state=1)
            davies_bouldin_score(Z, labels)
    sklearn_seconds = time.perf_counter() - start
    sklearn_cpu = time.process_time() - cpu_start
    load_after = os.getloadavg()
    sklearn_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    matrix_mb = data.shape[0] * 10 * 8 / 1e6
    print(f"clustered (discovery half): {data.shape[0]} units; feature matrix {matrix_mb:.0f} MB")
    print(f"strata discover (end to end, CSV included): {strata_seconds:.1f} s, peak RSS {strata_rss:.0f} MB")
    print(f"scikit-learn (scaling + KMeans + scores, CSV not included): {sklearn_seconds:.1f} s, "
          f"peak RSS of this Python process {sklearn_rss:.0f} MB")
    print(f"ratio strata / scikit-learn: {strata_seconds / sklearn_seconds:.2f}")
    # On a shared machine the wall clock depends on the other processes; CPU time (user + system) much less.
    print(f"CPU time: strata {strata_cpu:.1f} s, scikit-learn {sklearn_cpu:.1f} s, "
          f"ratio {strata_cpu / sklearn_cpu:.2f}")
    print(f"  of which scikit-learn's KMeans fits: {kmeans_cpu:.1f} s CPU")
    print(f"load average (1 min) before {load_before[0]:.1f}, after {load_after[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
