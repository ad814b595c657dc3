#!/usr/bin/env bash
# Times `strata plan` end to end (process start included): the figures in docs/planning.md.
#
#   swift build -c release --product strata && bash Benchmarks/planning.sh [.build/release/strata] [runs]
#
# Each scenario runs RUNS times; the script prints the mean wall-clock milliseconds per call.
set -euo pipefail
cd "$(dirname "$0")/.."
STRATA="${1:-.build/release/strata}"
RUNS="${2:-50}"
[ -x "$STRATA" ] || { echo "no executable at $STRATA (build it first)" >&2; exit 2; }

scenario() {
  local name="$1"; shift
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$RUNS"); do "$STRATA" plan "$@" --json >/dev/null; done
  end=$(date +%s%N)
  awk -v name="$name" -v ns="$((end - start))" -v runs="$RUNS" 'BEGIN { printf "%-58s %8.2f ms\n", name, ns / runs / 1e6 }'
}

echo "strata plan, mean of $RUNS calls ($STRATA)"
start=$(date +%s%N); for _ in $(seq "$RUNS"); do "$STRATA" --version >/dev/null; done; end=$(date +%s%N)
awk -v ns="$((end - start))" -v runs="$RUNS" 'BEGIN { printf "%-58s %8.2f ms\n", "--version (process start only)", ns / runs / 1e6 }'
scenario "proportion n (closed form)" --metric proportion --baseline 0.1 --mde 0.1 --relative
scenario "proportion mde for n (root finding)" --metric proportion --baseline 0.1 --n 14751
scenario "mean n, n ~ 200 (series noncentral t)" --metric mean --sd 4 --mde 1 --sides 1
scenario "mean n, n ~ 6,300 (quadrature noncentral t)" --metric mean --sd 40 --mde 2
scenario "mean n, n ~ 1.6e7 (quadrature, huge df)" --metric mean --sd 10 --mde 0.01
scenario "mean mde for n = 20,000 (root finding on the effect)" --metric mean --sd 30 --n 20000
