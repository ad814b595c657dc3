#!/usr/bin/env bash
# Byte-for-byte comparison of two `strata` binaries' `assign --input`: the output CSV, the terminal text and
# `--json`, online and `--stratified`, with and without `--raw-ids`, for every bundled experiment over every
# bundled CSV that has its unit column, plus any extra member files given (e.g. the benchmark files in
# bench-data/, assigned with experiments/gym-renewal.yaml), plus random member files with awkward CSV
# (quotes, CR, malformed quoting, ragged rows, formula-like ids; Benchmarks/assign_c/edge_cases.py).
#
#   bash Benchmarks/compare_assign.sh BEFORE AFTER [MEMBERS.csv ...]
# Prints one line per differing case and a count; exits 1 when any differ.
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 2 ] || { echo "usage: $0 BEFORE AFTER [MEMBERS.csv ...]" >&2; exit 64; }
BEFORE="$(realpath "$1")"
AFTER="$(realpath "$2")"
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 - "$work/random" <<'PY'
import os, random, sys
sys.path.insert(0, "Benchmarks/assign_c")
import edge_cases
os.makedirs(sys.argv[1])
for number in range(40):
    rng = random.Random(7000 + number)
    with open(os.path.join(sys.argv[1], f"members-{number}.csv"), "wb") as out:
        out.write(edge_cases.make_file(rng, rng.randrange(1, 300)))
PY
cases=()
for definition in experiments/*.yaml; do
  unit=$(sed -n 's/^unit: *//p' "$definition")
  for data in experiments/data/*.csv; do
    head -1 "$data" | tr ',' '\n' | grep -qx "${unit:-unit_id}" && cases+=("$definition|$data")
  done
done
for data in "$@" "$work"/random/*.csv; do cases+=("experiments/gym-renewal.yaml|$data"); done
count=0
different=0
for entry in "${cases[@]}"; do
  IFS='|' read -r definition data <<< "$entry"
  for options in "" "--stratified" "--raw-ids" "--json" "--stratified --json"; do
    count=$((count + 1))
    for side in before after; do
      binary=$BEFORE
      [ $side = after ] && binary=$AFTER
      # shellcheck disable=SC2086
      "$binary" assign --experiment "$definition" --input "$data" --output "$work/$side.csv" $options \
        > "$work/$side.out" 2> "$work/$side.err"
      echo "exit $?" >> "$work/$side.out"
      sed -i "s|$work/$side.csv|OUTPUT|g" "$work/$side.out" "$work/$side.err"
    done
    for kind in csv out err; do
      if ! cmp -s "$work/before.$kind" "$work/after.$kind"; then
        different=$((different + 1))
        echo "DIFFERENT ($kind): $definition $data $options"
        break
      fi
    done
    rm -f "$work/before.csv" "$work/after.csv"
  done
done
echo "$count cases, $different different"
[ "$different" -eq 0 ]
