#!/usr/bin/env bash
# `strata assign --input` of experiments/gym-renewal.yaml ("plain") against the same experiment with a global
# holdout ("holdout": `holdout: {salt: global-holdout-2026, share: 0.05}`) and in a layer ("layer":
# `layer: {name: renewal, buckets: [0, 5000]}`), over the same member files, interleaved: what the holdout and
# layer hashes cost per row, and whether peak memory stays flat in rows (it must: online mode streams).
#
#   bash Benchmarks/assign_holdout_layer.sh [ROUNDS] [ROWS...]
#   STRATA=path/to/strata bash Benchmarks/assign_holdout_layer.sh 5 1000000 10000000
#
# ROUNDS defaults to 5, ROWS to "1000000 10000000"; member files as in Benchmarks/assign_vs_c.sh (bench-data/,
# from Benchmarks/generate_members.py). The two variants of the definition are written to a temporary folder from
# experiments/gym-renewal.yaml at each run, so they follow it. User and system time and peak RSS ("Maximum resident
# set size") come from `/usr/bin/time -v`; the order of the three runs rotates from round to round. SAMPLED=1 also
# samples each run with `perf record -e cpu-clock` and takes the user time from the samples in user space, as
# assign_vs_c.sh does (the kernel's tick accounting was seen to be wrong on a loaded virtual machine).
#
# Every round checks the outputs against each other: the holdout and layer runs must give exactly the plain run's
# row wherever their reason is not `holdout` or `layer` (the variant hash does not depend on them), and at least one
# row each must be held out or outside the layer. The summary gives min / median / max per experiment and size, the
# per-round ratio to the plain run (user time, CPU), and the load average before and after.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-5}"
shift || true
ROWS="${*:-1000000 10000000}"
STRATA="${STRATA:-.build/release/strata}"
[ -x "$STRATA" ] || swift build -c release --product strata >/dev/null
SAMPLED="${SAMPLED:-0}"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cp experiments/gym-renewal.yaml "$OUT/plain.yaml"
{ cat experiments/gym-renewal.yaml; printf 'holdout:\n  salt: global-holdout-2026\n  share: 0.05\n'; } > "$OUT/holdout.yaml"
{ cat experiments/gym-renewal.yaml; printf 'layer:\n  name: renewal\n  buckets: [0, 5000]\n'; } > "$OUT/layer.yaml"
for rows in $ROWS; do
  file=bench-data/members-$rows.csv
  [ -f "$file" ] || python3 Benchmarks/generate_members.py --rows "$rows" --output "$file"
  cat "$file" > /dev/null  # warm the page cache
done
echo "== $(date -u +%Y-%m-%dT%H:%MZ) strata assign: plain vs holdout vs layer, $ROUNDS rounds, $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg), strata $STRATA"
run() {  # label rows round
  local label="$1" rows="$2" round="$3"
  local command=("$STRATA" assign --experiment "$OUT/$label.yaml" --input "bench-data/members-$rows.csv"
    --output "$OUT/$label.csv")
  local sampled_user=0
  if [ "$SAMPLED" = 1 ]; then
    nice -n 10 perf record -q -e cpu-clock -c 100000 -o "$OUT/perf.data" -- \
      /usr/bin/time -v -o "$OUT/time" "${command[@]}" > /dev/null 2> "$OUT/perf.log"
    sampled_user=$(perf report -i "$OUT/perf.data" --stdio --sort dso -F sample,dso 2> /dev/null \
      | awk '!/^#/ && NF >= 2 && $2 != "[kernel.kallsyms]" { u += $1 } END { printf "%.3f\n", u / 10000 }')
  else
    nice -n 10 /usr/bin/time -v -o "$OUT/time" "${command[@]}" > /dev/null
  fi
  local user system rss
  user=$(sed -n 's/^\tUser time (seconds): //p' "$OUT/time")
  system=$(sed -n 's/^\tSystem time (seconds): //p' "$OUT/time")
  rss=$(sed -n 's/^\tMaximum resident set size (kbytes): //p' "$OUT/time")
  echo "$label $rows $round $user $system $rss $sampled_user" >> "$OUT/results"
  printf "round %d %-7s %9d rows  user %5.2f s, system %5.2f s, peak RSS %6d kB" "$round" "$label" "$rows" \
    "$user" "$system" "$rss"
  [ "$SAMPLED" = 1 ] && printf "  sampled user %5.2f s" "$sampled_user"
  printf "\n"
}
check() {  # label excluded-reason rows round: same row as plain unless excluded by the holdout or layer (streamed)
  awk -v other="$OUT/$1.csv" -v reason="$2" -v label="$1" -v rows="$3" -v round="$4" '
    {
      if ((getline line < other) <= 0) { bad++; if (bad == 1) first = NR; next }
      if (substr(line, length(line) - length(reason)) == "," reason) excluded++
      else if (line != $0) { bad++; if (bad == 1) first = NR }
    }
    END {
      if ((getline line < other) > 0) bad++
      if (bad > 0 || excluded == 0) {
        printf "%s differs from plain at %d rows (round %d): %d rows, first at line %d; %d excluded\n",
          label, rows, round, bad, first, excluded
        exit 1
      }
    }' "$OUT/plain.csv"
}
orders=("plain holdout layer" "holdout layer plain" "layer plain holdout")
for round in $(seq 1 "$ROUNDS"); do
  for rows in $ROWS; do
    for label in ${orders[$(((round - 1) % 3))]}; do run "$label" "$rows" "$round"; done
    check holdout holdout "$rows" "$round"
    check layer layer "$rows" "$round"
  done
done
echo "outputs checked in every round; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT/results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
def summary(values):
    values = sorted(values)
    return f"{values[0]:.2f} / {statistics.median(values):.2f} / {values[-1]:.2f}"
sampled = any(float(r[6]) > 0 for r in rows)
for size in sorted({int(r[1]) for r in rows}):
    of_size = [r for r in rows if int(r[1]) == size]
    rounds = sorted({int(r[2]) for r in of_size})
    for label in ("plain", "holdout", "layer"):
        mine = [r for r in of_size if r[0] == label]
        rss = sorted(int(r[5]) // 1024 for r in mine)
        line = (f"{size:>9} rows {label:7} user {summary(float(r[3]) for r in mine)} s,"
                f" CPU {summary(float(r[3]) + float(r[4]) for r in mine)} s, peak RSS {rss[0]}-{rss[-1]} MB")
        if sampled:
            line += f", sampled user {summary(float(r[6]) for r in mine)} s"
        print(line)
    columns = [("user", lambda r: float(r[3])), ("CPU", lambda r: float(r[3]) + float(r[4]))]
    if sampled:
        columns.append(("sampled user", lambda r: float(r[6])))
    for label in ("holdout", "layer"):
        for name, value in columns:
            by_round = {(r[0], int(r[2])): value(r) for r in of_size}
            if any(by_round[("plain", n)] == 0 for n in rounds):
                continue
            ratios = [by_round[(label, n)] / by_round[("plain", n)] for n in rounds]
            print(f"{size:>9} rows {label}/plain {name} per round: " + " ".join(f"{x:.2f}" for x in ratios)
                  + f"  (min / median / max {summary(ratios)})")
PY
