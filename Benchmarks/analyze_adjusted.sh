#!/usr/bin/env bash
# CPU time and peak RSS of `strata analyze` (release build) on one 10 M-row file, with one ratio metric and
# one CUPED covariate (Benchmarks/analyze_adjusted.yaml: 4 value columns, 2 cross-products) and without them
# (analyze_adjusted_plain.yaml: 2 value columns), interleaved (plain, adjusted, plain, ...) so that drifting
# load on a shared machine affects both alike. CPU = user + system from /usr/bin/time; the goal is adjusted
# ≤ 1.3 × plain, with memory still independent of the rows (the duplicate check's table aside, the same
# for both).
#
#   bash Benchmarks/analyze_adjusted.sh [ROUNDS] [ROWS]     # defaults 5 and 10000000
#
# Data: bench-data/adjusted-ROWS.csv from Benchmarks/analyze_adjusted_data.py (numpy, pandas). Both modes:
# with the duplicate check (the default) and with --no-duplicate-check. Prints per definition and mode the
# min, median and max CPU, the peak RSS, and the ratio of the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-5}"
ROWS="${2:-10000000}"
DATA="bench-data/adjusted-${ROWS}.csv"
mkdir -p bench-data
python3 -c "import numpy, pandas" 2>/dev/null || pip install numpy pandas
[ -f "$DATA" ] || python3 Benchmarks/analyze_adjusted_data.py --rows "$ROWS" --out "$DATA"
[ -x .build/release/strata ] && [ -z "${REBUILD:-}" ] || swift build -c release --product strata
STRATA=.build/release/strata
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cat "$DATA" > /dev/null  # warm the page cache
echo "== $(date -u +%Y-%m-%dT%H:%MZ) $DATA ($(du -m "$DATA" | cut -f1) MB), $ROUNDS rounds, $(nproc) cores," \
  "load average $(cut -d' ' -f1 /proc/loadavg)"
run() {  # label definition mode round
  local label="$1" definition="$2" mode="$3" round="$4" extra=()
  [ "$mode" = "no-dup" ] && extra=(--no-duplicate-check)
  nice -n 10 /usr/bin/time -f "%U %S %M" -o "$OUT/time" "$STRATA" analyze --experiment "$definition" \
    --data "$DATA" --json --no-look-log "${extra[@]}" > "$OUT/$label-$mode.json"
  read -r user system rss < "$OUT/time"
  echo "$label $mode $(echo "$user + $system" | bc -l) $((rss / 1024))" >> "$OUT/results"
  printf "round %d %-8s %-6s cpu %5.2f s  peak RSS %4d MB\n" "$round" "$label" "$mode" \
    "$(echo "$user + $system" | bc -l)" "$((rss / 1024))"
}
for round in $(seq 1 "$ROUNDS"); do
  for mode in dup no-dup; do
    run plain Benchmarks/analyze_adjusted_plain.yaml "$mode" "$round"
    run adjusted Benchmarks/analyze_adjusted.yaml "$mode" "$round"
  done
done
python3 - "$OUT/results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for mode in ("dup", "no-dup"):
    medians = {}
    for label in ("plain", "adjusted"):
        cpu = sorted(float(r[2]) for r in rows if r[0] == label and r[1] == mode)
        rss = sorted(int(r[3]) for r in rows if r[0] == label and r[1] == mode)
        medians[label] = statistics.median(cpu)
        print(f"{mode:6} {label:8} cpu min {cpu[0]:.2f} median {medians[label]:.2f} max {cpu[-1]:.2f} s;"
              f" peak RSS {rss[0]}-{rss[-1]} MB")
    ratio = medians["adjusted"] / medians["plain"]
    print(f"{mode:6} adjusted / plain (medians) {ratio:.2f} (goal <= 1.30: {'met' if ratio <= 1.3 else 'NOT met'})")
PY
