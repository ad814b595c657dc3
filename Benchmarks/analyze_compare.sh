#!/usr/bin/env bash
# Before/after CPU time and peak RSS of two `strata` binaries on the same data, interleaved (before, after,
# before, after, ...) so that a machine whose load drifts affects both alike. CPU = user + system from
# /usr/bin/time; on a shared machine the wall time is mostly waiting for a core, so CPU is the figure to compare.
#
#   bash Benchmarks/analyze_compare.sh BEFORE_BINARY AFTER_BINARY [ROUNDS] [DATA]
#
# ROUNDS defaults to 5, DATA to bench-data/analyze-10000000.csv (Benchmarks/analyze_bench_data.py). Each
# round runs `analyze --json --no-look-log` with and without the duplicate check, under nice -n 10; the
# summary gives min, median and max per binary and mode, and whether the two JSON outputs are identical.
set -euo pipefail
cd "$(dirname "$0")/.."
BEFORE="$1"
AFTER="$2"
ROUNDS="${3:-5}"
DATA="${4:-bench-data/analyze-10000000.csv}"
[ -f "$DATA" ] || python3 Benchmarks/analyze_bench_data.py --rows 10000000 --out "$DATA"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cat "$DATA" > /dev/null  # warm the page cache
echo "== $(date -u +%Y-%m-%dT%H:%MZ) $DATA ($(du -m "$DATA" | cut -f1) MB), $ROUNDS rounds, $(nproc) cores," \
  "load average $(cut -d' ' -f1 /proc/loadavg)"
run() {  # label binary mode round
  local label="$1" binary="$2" mode="$3" round="$4" extra=()
  [ "$mode" = "no-dup" ] && extra=(--no-duplicate-check)
  nice -n 10 /usr/bin/time -f "%U %S %M" -o "$OUT/time" "$binary" analyze --experiment Benchmarks/analyze_bench.yaml \
    --data "$DATA" --json --no-look-log "${extra[@]}" > "$OUT/$label-$mode-$round.json"
  read -r user system rss < "$OUT/time"
  echo "$label $mode $(echo "$user + $system" | bc -l) $((rss / 1024))" >> "$OUT/results"
  printf "round %d %-6s %-6s cpu %5.2f s  peak RSS %4d MB\n" "$round" "$label" "$mode" "$(echo "$user + $system" | bc -l)" \
    "$((rss / 1024))"
}
for round in $(seq 1 "$ROUNDS"); do
  for mode in dup no-dup; do
    run before "$BEFORE" "$mode" "$round"
    run after "$AFTER" "$mode" "$round"
  done
done
python3 - "$OUT/results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
for mode in ("dup", "no-dup"):
    for label in ("before", "after"):
        cpu = sorted(float(r[2]) for r in rows if r[0] == label and r[1] == mode)
        rss = sorted(int(r[3]) for r in rows if r[0] == label and r[1] == mode)
        print(f"{mode:6} {label:6} cpu min {cpu[0]:.2f} median {statistics.median(cpu):.2f} max {cpu[-1]:.2f} s;"
              f" peak RSS {rss[0]}-{rss[-1]} MB")
PY
for mode in dup no-dup; do
  if cmp -s "$OUT/before-$mode-1.json" "$OUT/after-$mode-1.json"; then
    echo "$mode: JSON identical"
  else
    echo "$mode: JSON differs:"; diff <(python3 -m json.tool "$OUT/before-$mode-1.json") \
      <(python3 -m json.tool "$OUT/after-$mode-1.json") | head -20 || true
  fi
done
