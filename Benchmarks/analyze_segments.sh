#!/usr/bin/env bash
# Segment scaling of `strata analyze` (release build): the same rows spread over 5, 200, 2,000 and 20,000
# segments (3 variants) and over 5 and 20,000 segments with 16 variants. Runs are interleaved (every
# configuration once per round, ROUNDS rounds) and CPU time (user + system) and peak RSS come from
# /usr/bin/time; the summary gives min / median / max CPU and each configuration's median against 5 x 3.
#
#   bash Benchmarks/analyze_segments.sh [ROWS] [ROUNDS]     # defaults 10000000 and 5
#   NAME_DIGITS=5 bash Benchmarks/analyze_segments.sh ...    # names seg-00001.. in every file
# By default the names are `seg-1`..`seg-S`, so files with more segments have longer names (2.4 bytes a row more
# at 2,000 segments than at 5); with NAME_DIGITS files with the same number of variants have the same bytes to within
# 0.001% (files `segpad-ROWS-SxV.*`; the 16-variant ones 3% fewer than the 3-variant ones: `v1`..`v15` are shorter
# than `control`), so only the number of distinct segment names changes between them.
# Results are appended to bench-data/analyze-segments.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS="${1:-10000000}"
ROUNDS="${2:-5}"
OUT="bench-data/analyze-segments.txt"
CONFIGS=(5x3 200x3 2000x3 20000x3 5x16 20000x16)
NAME_DIGITS="${NAME_DIGITS:-}"
STEM="bench-data/segments-$ROWS"
PAD=()
if [ -n "$NAME_DIGITS" ]; then STEM="bench-data/segpad-$ROWS"; PAD=(--name-digits "$NAME_DIGITS"); fi
mkdir -p bench-data
python3 -c "import numpy, pandas" 2>/dev/null || pip install numpy pandas
for config in "${CONFIGS[@]}"; do
  data="$STEM-$config.csv"
  [ -f "$data" ] || python3 Benchmarks/analyze_segments_data.py --rows "$ROWS" --segments "${config%x*}" \
    --variants "${config#*x}" --out "$data" --experiment "$STEM-$config.yaml" "${PAD[@]}"
done
swift build -c release --product strata
STRATA=.build/release/strata
samples=$(mktemp)
trap 'rm -f "$samples"' EXIT
echo "== $(date -u +%Y-%m-%dT%H:%MZ) $ROWS rows${NAME_DIGITS:+, names of $NAME_DIGITS digits}, $ROUNDS rounds, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)" \
  | tee -a "$OUT"
for round in $(seq "$ROUNDS"); do
  for config in "${CONFIGS[@]}"; do
    stem="$STEM-$config"
    cat "$stem.csv" > /dev/null
    /usr/bin/time -f "%U %S %M" -o "$stem.time" "$STRATA" analyze --experiment "$stem.yaml" --data "$stem.csv" \
      --json > /dev/null
    read -r user system rss < "$stem.time"
    echo "$config $(echo "$user + $system" | bc -l) $rss" >> "$samples"
    echo "round $round $config cpu $(echo "$user + $system" | bc -l) s"
  done
done
python3 - "$samples" <<'PY' | tee -a "$OUT"
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
configs = list(dict.fromkeys(row[0] for row in rows))
cpu = {c: sorted(float(r[1]) for r in rows if r[0] == c) for c in configs}
rss = {c: max(int(r[2]) for r in rows if r[0] == c) for c in configs}
base = statistics.median(cpu[configs[0]])
for c in configs:
    seg, var = c.split("x")
    m = statistics.median(cpu[c])
    print(f"{seg:>6} segments x {var:>2} variants  cpu min {cpu[c][0]:6.2f}  median {m:6.2f}  max {cpu[c][-1]:6.2f} s"
          f"  peak RSS {rss[c] / 1024:6.0f} MB  median / 5x3 {m / base:5.2f}")
PY
