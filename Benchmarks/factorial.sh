#!/usr/bin/env bash
# Times the factorial commands on a release build: the default-generator search (k = 11, 12 factors, every
# fraction) and a saturated analysis of a 2^7 full factorial (128 cells, 128 parameters) from summaries.
#   Benchmarks/factorial.sh            (builds `strata` in release first)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product strata >/dev/null
bin=.build/release/strata
for k in 11 12; do
  factors=$(python3 -c "print(','.join(f'f{i}:2' for i in range($k)))")
  for p in $(seq 1 $((k - 4))); do
    /usr/bin/time -f "design k=$k p=$p: %e s" "$bin" design --factors "$factors" --fraction "1/2^$p" --json >/dev/null
  done
done
factors=$(python3 -c "print(','.join(f'f{i}:2' for i in range(7)))")
cells=$(python3 -c "import random; random.seed(1); print(';'.join(f'5000,{random.randint(200, 300)}' for _ in range(128)))")
/usr/bin/time -f "calc factorial 2^7 saturated, hc1: %e s" "$bin" calc factorial --factors "$factors" --metric proportion --cells "$cells" --json >/dev/null
