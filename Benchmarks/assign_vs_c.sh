#!/usr/bin/env bash
# `strata assign` against a plain C program that writes byte-identical output (Benchmarks/assign_c/), run
# interleaved so that a machine whose load drifts affects both alike. CPU = user + system and peak RSS from
# /usr/bin/time; on a shared machine the wall time is mostly waiting for a core, so CPU is the figure to compare.
#
#   bash Benchmarks/assign_vs_c.sh [ROUNDS] [ROWS...]
#   STRATA=path/to/strata bash Benchmarks/assign_vs_c.sh 5 1000000 10000000
#
# ROUNDS defaults to 5, ROWS to "1000000 10000000". Member files come from Benchmarks/generate_members.py
# (experiments/gym-renewal.yaml's attributes, a quoted club name with a comma in 3 rows of 5) into
# bench-data/ (ignored by git). STRATA defaults to .build/release/strata (built if missing). The C program is
# built with `cc -std=c11 -O2`. Every round checks the two outputs with cmp; the summary gives min, median and
# max per program and size, the ratio strata/C of each round (CPU, and user and system time apart: the system
# time is mostly the kernel copying the output into the page cache, the same work for both and the noisiest
# part on a shared machine), and the load average before and after.
#
# SAMPLED=1 also samples each run with `perf record -e cpu-clock` (a timer interrupt every 0.1 ms of the
# program's CPU) and counts the samples taken in user space and in the kernel: user and system time from where the
# CPU was, not from the kernel's per-tick accounting, which on a loaded virtual machine was seen to give strata
# 0.24 s of user time for 1.7 G instructions. The summary then gives the sampled ratios too.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-5}"
shift || true
ROWS="${*:-1000000 10000000}"
STRATA="${STRATA:-.build/release/strata}"
[ -x "$STRATA" ] || swift build -c release --product strata >/dev/null
mkdir -p bench-data
CC="${CC:-cc}"
"$CC" -std=c11 -O2 -o bench-data/assign_c Benchmarks/assign_c/assign_gym_renewal.c
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
for rows in $ROWS; do
  file=bench-data/members-$rows.csv
  [ -f "$file" ] || python3 Benchmarks/generate_members.py --rows "$rows" --output "$file"
  cat "$file" > /dev/null  # warm the page cache
done
echo "== $(date -u +%Y-%m-%dT%H:%MZ) strata assign vs C ($("$CC" --version | head -1)), $ROUNDS rounds, $(nproc) cores," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg), strata $STRATA"
SAMPLED="${SAMPLED:-0}"
run() {  # label rows round command...
  local label="$1" rows="$2" round="$3"
  shift 3
  local sampled_user=0 sampled_system=0
  if [ "$SAMPLED" = 1 ]; then
    nice -n 10 perf record -q -e cpu-clock -c 100000 -o "$OUT/perf.data" -- \
      /usr/bin/time -f "%U %S %M" -o "$OUT/time" "$@" > /dev/null 2> "$OUT/perf.log"
    # Samples per DSO; the kernel's are system time, every other DSO's user time (0.1 ms each).
    read -r sampled_user sampled_system < <(perf report -i "$OUT/perf.data" --stdio --sort dso -F sample,dso \
      2> /dev/null | awk '!/^#/ && NF >= 2 { if ($2 == "[kernel.kallsyms]") k += $1; else u += $1 }
        END { printf "%.3f %.3f\n", u / 10000, k / 10000 }')
  else
    nice -n 10 /usr/bin/time -f "%U %S %M" -o "$OUT/time" "$@" > /dev/null
  fi
  read -r user system rss < "$OUT/time"
  local cpu
  cpu=$(echo "$user + $system" | bc -l)
  echo "$label $rows $round $cpu $((rss / 1024)) $user $system $sampled_user $sampled_system" >> "$OUT/results"
  printf "round %d %-6s %9d rows  cpu %6.2f s (user %5.2f, system %5.2f)  peak RSS %5d MB" "$round" "$label" "$rows" \
    "$cpu" "$user" "$system" "$((rss / 1024))"
  [ "$SAMPLED" = 1 ] && printf "  sampled user %5.2f, system %5.2f" "$sampled_user" "$sampled_system"
  printf "\n"
}
for round in $(seq 1 "$ROUNDS"); do
  for rows in $ROWS; do
    file=bench-data/members-$rows.csv
    # Alternate which program goes first, so neither always runs on a cache the other warmed.
    order="c strata"
    [ $((round % 2)) -eq 0 ] && order="strata c"
    for program in $order; do
      if [ "$program" = c ]; then
        run c "$rows" "$round" bench-data/assign_c "$file" "$OUT/c.csv"
      else
        run strata "$rows" "$round" "$STRATA" assign --experiment experiments/gym-renewal.yaml \
          --input "$file" --output "$OUT/strata.csv"
      fi
    done
    cmp -s "$OUT/c.csv" "$OUT/strata.csv" || { echo "outputs differ at $rows rows (round $round)"; exit 1; }
  done
done
echo "outputs byte-identical in every round; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$OUT/results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
sizes = sorted({int(r[1]) for r in rows})
for size in sizes:
    for label in ("c", "strata"):
        cpu = sorted(float(r[3]) for r in rows if r[0] == label and int(r[1]) == size)
        rss = sorted(int(r[4]) for r in rows if r[0] == label and int(r[1]) == size)
        print(f"{size:>9} rows {label:6} cpu min {cpu[0]:.2f} median {statistics.median(cpu):.2f} max {cpu[-1]:.2f} s;"
              f" peak RSS {rss[0]}-{rss[-1]} MB")
    rounds = sorted({int(r[2]) for r in rows})
    sampled = any(float(r[7]) > 0 for r in rows)
    columns = (("cpu", 3), ("user", 5), ("system", 6))
    if sampled:
        columns += (("sampled user", 7), ("sampled system", 8))
        for label in ("c", "strata"):
            user = sorted(float(r[7]) for r in rows if r[0] == label and int(r[1]) == size)
            print(f"{size:>9} rows {label:6} sampled user min {user[0]:.2f} median {statistics.median(user):.2f}"
                  f" max {user[-1]:.2f} s")
    for name, column in columns:
        cpu = {(r[0], int(r[2])): float(r[column]) for r in rows if int(r[1]) == size}
        if any(cpu[("c", n)] == 0 for n in rounds):
            continue
        ratios = [cpu[("strata", n)] / cpu[("c", n)] for n in rounds]
        ordered = sorted(ratios)
        print(f"{size:>9} rows strata/C {name:6} per round: " + " ".join(f"{x:.2f}" for x in ratios)
              + f"  (min {ordered[0]:.2f} median {statistics.median(ordered):.2f} max {ordered[-1]:.2f})")
PY
