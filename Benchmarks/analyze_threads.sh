#!/usr/bin/env bash
# `strata analyze --threads 1` against `--threads 2` (with and without the duplicate check) and DuckDB's
# GROUP BY on 2 threads, over the same unit-level CSV, interleaved: each round runs every configuration once,
# so a machine whose load drifts affects all alike. Wall and CPU (user + system; the system part too) time and peak RSS from
# /usr/bin/time; the load average is printed per round. Release build.
#
#   bash Benchmarks/analyze_threads.sh [ROUNDS] [DATA] [STRATA] [BEFORE]
#
# ROUNDS defaults to 5, DATA to bench-data/analyze-10000000.csv (made by Benchmarks/analyze_bench_data.py
# with the row count its name gives when missing: analyze-30000000.csv gets 30 M rows), STRATA to
# .build/release/strata (built when missing). BEFORE, another strata binary (say, a build of an earlier
# commit), adds its runs with the duplicate check on 1 and 2 threads to every round, and checks that its JSON
# is byte-identical to STRATA's. DuckDB comes from a venv in bench-data/duckdb-venv (duckdb==2.0.1, the
# version of the figures in docs/performance.md). The summary gives min / median / max per configuration and
# the median over rounds of each round's ratios (2 threads / 1 thread, Strata / DuckDB), and checks that the
# JSON outputs of 1 and 2 threads are byte-identical.
#
# PIPE=1 adds the same analyses through a pipe (`cat DATA | strata analyze ... --data -`; the time and memory are
# those of strata alone, not cat) on 1 and 2 threads, with and without the duplicate check (and BEFORE's with the
# check), the ratios of their CPU to the file's without the check (issue 17's goal for the check: at most 1.25), and
# checks that the pipe's JSON is the file's (apart from data.file, "-").
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-5}"
DATA="${2:-bench-data/analyze-10000000.csv}"
STRATA="${3:-.build/release/strata}"
BEFORE="${4:-}"
mkdir -p bench-data
if [ ! -f "$DATA" ]; then  # made with as many rows as its name says (analyze-30000000.csv: 30 M rows)
  rows=$(basename "$DATA" | grep -o '[0-9]\{4,\}' | tail -1 || true)
  [ -n "$rows" ] || { echo "analyze_threads.sh: $DATA is missing and its name gives no row count (analyze-ROWS.csv)" >&2; exit 1; }
  python3 Benchmarks/analyze_bench_data.py --rows "$rows" --out "$DATA"
fi
[ -x "$STRATA" ] || swift build -c release --product strata
VENV=bench-data/duckdb-venv
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -c "import duckdb" 2>/dev/null || "$VENV/bin/pip" install -q duckdb==2.0.1
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
cat "$DATA" > /dev/null  # warm the page cache so every tool reads from memory
echo "== $(date -u +%Y-%m-%dT%H:%MZ) $DATA ($(du -m "$DATA" | cut -f1) MB), $ROUNDS rounds, $(nproc) cores," \
  "DuckDB $("$VENV/bin/python" -c 'import duckdb; print(duckdb.__version__)')"
run() {  # label round command...
  local label="$1" round="$2"
  shift 2
  /usr/bin/time -f "%e %U %S %M" -o "$OUT/time" "$@" > "$OUT/$label-$round.out"
  read -r wall user system rss < "$OUT/time"
  local cpu
  cpu=$(echo "$user + $system" | bc -l)
  echo "$label $round $wall $cpu $((rss / 1024)) $system" >> "$OUT/results"
  printf "round %d %-16s wall %6.2f s  cpu %6.2f s  peak RSS %5d MB\n" "$round" "$label" "$wall" "$cpu" \
    "$((rss / 1024))"
}
runpipe() {  # label round command... (DATA piped to the command's standard input; only the command is timed)
  local label="$1" round="$2"
  shift 2
  cat "$DATA" | /usr/bin/time -f "%e %U %S %M" -o "$OUT/time" "$@" > "$OUT/$label-$round.out"
  read -r wall user system rss < "$OUT/time"
  local cpu
  cpu=$(echo "$user + $system" | bc -l)
  echo "$label $round $wall $cpu $((rss / 1024)) $system" >> "$OUT/results"
  printf "round %d %-16s wall %6.2f s  cpu %6.2f s  peak RSS %5d MB\n" "$round" "$label" "$wall" "$cpu" \
    "$((rss / 1024))"
}
ANALYZE=("$STRATA" analyze --experiment Benchmarks/analyze_bench.yaml --data "$DATA" --json --no-look-log)
PIPED=("$STRATA" analyze --experiment Benchmarks/analyze_bench.yaml --data - --json --no-look-log)
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round: load average $(cut -d' ' -f1-3 /proc/loadavg)"
  run strata-1 "$round" "${ANALYZE[@]}" --threads 1
  run strata-2 "$round" "${ANALYZE[@]}" --threads 2
  run duckdb-2 "$round" "$VENV/bin/python" Benchmarks/analyze_duckdb.py "$DATA" 2
  run strata-1-nodup "$round" "${ANALYZE[@]}" --threads 1 --no-duplicate-check
  run strata-2-nodup "$round" "${ANALYZE[@]}" --threads 2 --no-duplicate-check
  if [ -n "$BEFORE" ]; then
    run before-1 "$round" "$BEFORE" "${ANALYZE[@]:1}" --threads 1
    run before-2 "$round" "$BEFORE" "${ANALYZE[@]:1}" --threads 2
  fi
  if [ "${PIPE:-}" = 1 ]; then
    runpipe pipe-1 "$round" "${PIPED[@]}" --threads 1
    runpipe pipe-2 "$round" "${PIPED[@]}" --threads 2
    runpipe pipe-1-nodup "$round" "${PIPED[@]}" --threads 1 --no-duplicate-check
    runpipe pipe-2-nodup "$round" "${PIPED[@]}" --threads 2 --no-duplicate-check
    if [ -n "$BEFORE" ]; then
      runpipe before-pipe-1 "$round" "$BEFORE" "${PIPED[@]:1}" --threads 1
      runpipe before-pipe-2 "$round" "$BEFORE" "${PIPED[@]:1}" --threads 2
    fi
  fi
done
python3 - "$OUT/results" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1])]
labels = list(dict.fromkeys(r[0] for r in rows))
value = {(r[0], int(r[1])): (float(r[2]), float(r[3]), int(r[4]), float(r[5])) for r in rows}
rounds = sorted({int(r[1]) for r in rows})
for label in labels:
    wall = sorted(value[label, k][0] for k in rounds)
    cpu = sorted(value[label, k][1] for k in rounds)
    rss = sorted(value[label, k][2] for k in rounds)
    system = sorted(value[label, k][3] for k in rounds)
    print(f"{label:16} wall {wall[0]:.2f} / {statistics.median(wall):.2f} / {wall[-1]:.2f} s"
          f"   cpu {cpu[0]:.2f} / {statistics.median(cpu):.2f} / {cpu[-1]:.2f} s"
          f" (system {system[0]:.2f} / {statistics.median(system):.2f} / {system[-1]:.2f})"
          f"   peak RSS {rss[0]}-{rss[-1]} MB")
def ratio(a, b, i):
    per_round = sorted(value[a, k][i] / value[b, k][i] for k in rounds)
    return f"{per_round[0]:.2f} / {statistics.median(per_round):.2f} / {per_round[-1]:.2f}"
print("per-round ratios, min / median / max:")
for a, b in [("strata-2", "strata-1"), ("strata-2-nodup", "strata-1-nodup")]:
    print(f"  {a} / {b}: wall {ratio(a, b, 0)}, cpu {ratio(a, b, 1)}")
for a in ("strata-1", "strata-2", "strata-2-nodup"):
    print(f"  {a} / duckdb-2: wall {ratio(a, 'duckdb-2', 0)}, cpu {ratio(a, 'duckdb-2', 1)}")
for threads in ("1", "2"):
    print(f"  strata-{threads} / strata-{threads}-nodup (the duplicate check's share): "
          f"wall {ratio('strata-' + threads, 'strata-' + threads + '-nodup', 0)}, "
          f"cpu {ratio('strata-' + threads, 'strata-' + threads + '-nodup', 1)}")
    if ("before-" + threads, rounds[0]) in value:
        print(f"  strata-{threads} / before-{threads}: wall {ratio('strata-' + threads, 'before-' + threads, 0)}, "
              f"cpu {ratio('strata-' + threads, 'before-' + threads, 1)}")
        print(f"  before-{threads} / strata-{threads}-nodup: "
              f"cpu {ratio('before-' + threads, 'strata-' + threads + '-nodup', 1)}")
    for pipe in ("pipe-" + threads, "before-pipe-" + threads, "pipe-" + threads + "-nodup"):
        if (pipe, rounds[0]) in value:
            print(f"  {pipe} / strata-{threads}-nodup (the pipe's extra CPU over the file without the check): "
                  f"cpu {ratio(pipe, 'strata-' + threads + '-nodup', 1)}; {pipe} / strata-{threads}: "
                  f"cpu {ratio(pipe, 'strata-' + threads, 1)}")
PY
for mode in "" "-nodup"; do
  if cmp -s "$OUT/strata-1$mode-1.out" "$OUT/strata-2$mode-1.out"; then
    echo "JSON of 1 and 2 threads${mode:+ ($mode)}: byte-identical"
  else
    echo "JSON of 1 and 2 threads${mode:+ ($mode)}: DIFFERENT"
  fi
done
if [ "${PIPE:-}" = 1 ]; then
  quoted=$(python3 -c 'import json, sys; print(json.dumps(sys.argv[1]))' "$DATA")
  for label in pipe-1 pipe-2 pipe-1-nodup pipe-2-nodup before-pipe-1 before-pipe-2; do
    [ -f "$OUT/$label-1.out" ] || continue
    file="strata-${label#before-}"
    file="${file/pipe-/}"
    if python3 -c 'import sys; a, b, q = sys.argv[1:]; sys.exit(open(a).read().replace(q, "\"-\"") != open(b).read())' \
      "$OUT/$file-1.out" "$OUT/$label-1.out" "$quoted"; then
      echo "JSON of $label and $file (the file, data.file aside): byte-identical"
    else
      echo "JSON of $label and $file (the file, data.file aside): DIFFERENT"
    fi
  done
fi
if [ -n "$BEFORE" ]; then
  for threads in 1 2; do
    if cmp -s "$OUT/strata-$threads-1.out" "$OUT/before-$threads-1.out"; then
      echo "JSON of STRATA and BEFORE on $threads threads: byte-identical"
    else
      echo "JSON of STRATA and BEFORE on $threads threads: DIFFERENT"
    fi
  done
fi
