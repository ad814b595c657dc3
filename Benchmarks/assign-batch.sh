#!/usr/bin/env bash
# `strata assign` over generated member lists (release build): wall time and peak memory.
#
#   ./Benchmarks/assign-batch.sh            # 1M and 10M rows, online; 1M stratified
#   ROWS="100000 1000000" ./Benchmarks/assign-batch.sh
#
# Generated files go to bench-data/ (ignored by git). Memory in online mode must not grow with rows:
# compare the peak RSS of the 1M and 10M runs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${ROWS:-"1000000 10000000"}
swift build -c release --product strata >/dev/null
STRATA=.build/release/strata
mkdir -p bench-data
measure() {  # label, command...
  local label=$1; shift
  /usr/bin/time -v "$@" >/dev/null 2>bench-data/time.txt || { cat bench-data/time.txt; exit 1; }
  local wall rss user system
  wall=$(grep "Elapsed (wall clock)" bench-data/time.txt | awk '{print $NF}')
  user=$(grep "User time" bench-data/time.txt | awk '{print $NF}')
  system=$(grep "System time" bench-data/time.txt | awk '{print $NF}')
  rss=$(grep "Maximum resident set size" bench-data/time.txt | awk '{print $NF}')
  printf '%-34s wall %8s   cpu %6.2f s   peak RSS %6.1f MB\n' "$label" "$wall" "$(echo "$user + $system" | bc -l)" "$(echo "$rss / 1024" | bc -l)"
}
for rows in $ROWS; do
  file=bench-data/members-$rows.csv
  [ -f "$file" ] || python3 Benchmarks/generate_members.py --rows "$rows" --output "$file"
  size=$(du -m "$file" | cut -f1)
  measure "online, $rows rows ($size MB)" "$STRATA" assign --experiment experiments/gym-renewal.yaml \
    --input "$file" --output bench-data/assignments-$rows.csv
done
first=$(echo "$ROWS" | awk '{print $1}')
measure "stratified, $first rows" "$STRATA" assign --experiment experiments/gym-renewal.yaml \
  --input "bench-data/members-$first.csv" --output "bench-data/assignments-$first-stratified.csv" --stratified
