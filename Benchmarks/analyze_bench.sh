#!/usr/bin/env bash
# Benchmark of `strata analyze` (release build) against DuckDB's GROUP BY and pandas + scipy on the same
# 10 M-row CSV: wall time and peak RSS from /usr/bin/time -v. Results go to bench-data/analyze-bench.txt.
#
#   bash Benchmarks/analyze_bench.sh [ROWS]        # default 10000000
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-10000000}"
DATA="bench-data/analyze-${ROWS}.csv"
OUT="bench-data/analyze-bench.txt"
mkdir -p bench-data
python3 -c "import duckdb, pandas, scipy, statsmodels" 2>/dev/null || pip install duckdb pandas scipy statsmodels
[ -f "$DATA" ] || python3 Benchmarks/analyze_bench_data.py --rows "$ROWS" --out "$DATA"
swift build -c release --product strata
STRATA=.build/release/strata
cat "$DATA" > /dev/null  # warm the page cache so every tool reads from memory

measure() {  # name, command...
  local name="$1"; shift
  local log="bench-data/time-$name.log"
  /usr/bin/time -v "$@" > /dev/null 2> "$log"
  local wall rss user system
  wall=$(grep "Elapsed (wall clock)" "$log" | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" "$log" | awk '{print $NF}')
  user=$(grep "User time" "$log" | awk '{print $NF}')
  system=$(grep "System time" "$log" | awk '{print $NF}')
  # CPU time (user + system) is reported too: on a shared machine the wall time includes waiting for a core.
  printf "%-34s wall %8s   cpu %6.2f s   peak RSS %7.0f MB\n" "$name" "$wall" "$(echo "$user + $system" | bc -l)" \
    "$(echo "$rss / 1024" | bc -l)" | tee -a "$OUT"
}

{
  echo "== $(date -u +%Y-%m-%dT%H:%MZ) $ROWS rows, $(du -m "$DATA" | cut -f1) MB, $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"
} | tee -a "$OUT"
measure "strata-analyze" $STRATA analyze --experiment Benchmarks/analyze_bench.yaml --data "$DATA" --json
measure "strata-analyze-no-duplicate-check" $STRATA analyze --experiment Benchmarks/analyze_bench.yaml --data "$DATA" --json --no-duplicate-check
measure "duckdb-group-by" python3 Benchmarks/analyze_duckdb.py "$DATA"
measure "pandas-scipy" python3 Benchmarks/analyze_pandas.py "$DATA"
