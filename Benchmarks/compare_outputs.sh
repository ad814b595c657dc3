#!/usr/bin/env bash
# Byte-for-byte comparison of two `strata` binaries' analyses: the terminal text, `--json` and the reports
# (`--report`: Markdown, HTML, results CSV) for every bundled example (experiments/ with its data, or synthetic
# data from Benchmarks/example_data.py for the definitions that have none) under several options, and for any
# extra `DEFINITION DATA` pairs given (e.g. the segment-scaling files in bench-data/).
#
#   bash Benchmarks/compare_outputs.sh BEFORE AFTER [DEFINITION DATA ...]
#   bash Benchmarks/compare_outputs.sh /tmp/strata-main .build/release/strata \
#     bench-data/segments-2000000-2000x3.yaml bench-data/segments-2000000-2000x3.csv
# Prints one line per case (same / DIFFERENT with the differing files) and exits 1 when any differ.
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] && [ $(($# % 2)) -eq 0 ] || { echo "usage: $0 BEFORE AFTER [DEFINITION DATA ...]" >&2; exit 64; }
BEFORE="$(realpath "$1")"
AFTER="$(realpath "$2")"
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1790000000
python3 Benchmarks/example_data.py "$work/data" > "$work/generated.txt"
cases=()
add() { cases+=("$1|$2|${3:-}"); }
for options in "" "--correction bh" "--correction none" "--family all-metrics"; do
  add experiments/gym-renewal.yaml experiments/data/gym-renewal.csv "$options"
done
for definition in experiments/*.yaml; do
  name=$(basename "$definition" .yaml)
  [ "$name" = gym-renewal ] && continue
  for data in "experiments/data/$name.csv" "experiments/data/$name-cells.csv"; do
    [ -f "$data" ] && add "$definition" "$data"
  done
done
while read -r definition data; do add "$definition" "$data"; add "$definition" "$data" "--family all-metrics"; done \
  < "$work/generated.txt"
while [ $# -gt 0 ]; do add "$1" "$2"; shift 2; done
status=0
index=0
for entry in "${cases[@]}"; do
  IFS='|' read -r definition data options <<< "$entry"
  index=$((index + 1))
  for side in before after; do
    binary=$BEFORE
    [ "$side" = after ] && binary=$AFTER
    out="$work/$index/$side"
    mkdir -p "$out/report"
    # shellcheck disable=SC2086
    "$binary" analyze --experiment "$definition" --data "$data" --no-look-log $options --json > "$out/json" 2> "$out/json.err"
    echo "exit $?" >> "$out/json.err"
    # shellcheck disable=SC2086
    "$binary" analyze --experiment "$definition" --data "$data" --no-look-log $options --report "$out/report" \
      > "$out/text" 2> "$out/text.err"
    echo "exit $?" >> "$out/text.err"
    sed -i "s#$out/report#REPORT#g" "$out/text"
  done
  differing=$(diff -rq "$work/$index/before" "$work/$index/after" | sed "s#$work/$index/before/##; s# and .*##; s#^Files ##")
  if [ -z "$differing" ]; then
    echo "same       $definition $data $options ($(wc -c < "$work/$index/after/json") bytes of JSON)"
  else
    echo "DIFFERENT  $definition $data $options: $(echo "$differing" | tr '\n' ' ')"
    status=1
  fi
done
exit $status
