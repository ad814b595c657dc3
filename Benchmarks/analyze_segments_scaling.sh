#!/usr/bin/env bash
# The scaling table of `strata analyze` over segments (docs/performance.md, "Many segments"): for each row count,
# the segment-scaling files of analyze_segments_data.py (5, 200, 2,000 and 20,000 segments with 3 variants; 5 and
# 20,000 with 16), each read with 1 and 2 threads. Runs are interleaved: every file and thread count once per
# round, ROUNDS rounds. CPU (user + system), wall time and peak RSS from /usr/bin/time; the summary gives
# min / median / max and each configuration's CPU per round against the same round's 5-segment run with as many
# variants and threads.
#
#   bash Benchmarks/analyze_segments_scaling.sh [ROWS...]      # defaults 1000000 10000000 30000000
#   ROUNDS=3 STRATA=.build/release/strata bash Benchmarks/analyze_segments_scaling.sh 1000000
# Missing data files are generated (python3 with numpy and pandas); raw samples go to bench-data/scaling-*.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${ROUNDS:-3}"
STRATA="${STRATA:-.build/release/strata}"
CONFIGS=(${CONFIGS:-5x3 200x3 2000x3 20000x3 5x16 20000x16})
THREADS=(${THREADS:-1 2})
[ $# -gt 0 ] && ROWS=("$@") || ROWS=(1000000 10000000 30000000)
mkdir -p bench-data
for rows in "${ROWS[@]}"; do
  for config in "${CONFIGS[@]}"; do
    data="bench-data/segments-$rows-$config.csv"
    [ -f "$data" ] || python3 Benchmarks/analyze_segments_data.py --rows "$rows" --segments "${config%x*}" \
      --variants "${config#*x}" --out "$data" --experiment "bench-data/segments-$rows-$config.yaml"
  done
done
[ -x "$STRATA" ] || swift build -c release --product strata
samples="bench-data/scaling-$(date -u +%Y%m%dT%H%M).txt"
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $STRATA, $ROUNDS rounds" | tee "$samples"
for round in $(seq "$ROUNDS"); do
  for rows in "${ROWS[@]}"; do
    for config in "${CONFIGS[@]}"; do
      for threads in "${THREADS[@]}"; do
        stem="bench-data/segments-$rows-$config"
        cat "$stem.csv" > /dev/null
        /usr/bin/time -f "%U %S %e %M" -o "$samples.time" "$STRATA" analyze --experiment "$stem.yaml" \
          --data "$stem.csv" --threads "$threads" --json > /dev/null
        read -r user system wall rss < "$samples.time"
        echo "$round $rows $config $threads $user $system $wall $rss" | tee -a "$samples"
      done
    done
  done
done
rm -f "$samples.time"
echo "# end $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$samples"
python3 - "$samples" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if not line.startswith("#")]
def fmt(xs, unit=""):
    xs = sorted(xs)
    return f"{xs[0]:.2f} / {statistics.median(xs):.2f} / {xs[-1]:.2f}{unit}"
print("| rows | segments × variants | threads | CPU s | wall s | peak RSS MB | CPU / 5 segments (by round) |")
print("|---|---|---|---|---|---|---|")
keys = list(dict.fromkeys((r[1], r[2], r[3]) for r in rows))
for n, config, threads in keys:
    runs = [r for r in rows if (r[1], r[2], r[3]) == (n, config, threads)]
    cpu = {r[0]: float(r[4]) + float(r[5]) for r in runs}
    base_config = "5x" + config.split("x")[1]
    base = {r[0]: float(r[4]) + float(r[5]) for r in rows if (r[1], r[2], r[3]) == (n, base_config, threads)}
    ratios = [cpu[k] / base[k] for k in cpu if k in base]
    seg, var = config.split("x")
    print(f"| {int(n) // 1_000_000} M | {int(seg):,} × {var} | {threads} | {fmt(cpu.values())} | "
          f"{fmt([float(r[6]) for r in runs])} | {max(int(r[7]) for r in runs) / 1024:.0f} | "
          f"{fmt(ratios) if ratios else '-'} |")
PY
