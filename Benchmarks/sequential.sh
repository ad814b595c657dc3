#!/usr/bin/env bash
# Timing figures for docs/sequential.md: boundaries, inflation and simulations with a release build.
#   ./Benchmarks/sequential.sh            (builds .build/release/strata first)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product strata >/dev/null
bin=.build/release/strata
# User + system CPU seconds (less sensitive than wall time to other jobs on a shared machine); best of 3.
time_it() {
  local label=$1; shift
  local best=""
  for _ in 1 2 3; do
    local t
    t=$( { /usr/bin/time -f "%U %S" "$bin" "$@" >/dev/null; } 2>&1 | awk '{print $1 + $2}')
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
  done
  printf '%-60s %8.3f s CPU\n' "$label" "$best"
}
time_it "calc boundaries, 5 looks, obf" calc boundaries --looks 5 --spending obf --json
time_it "calc boundaries, 20 looks, obf, alpha 1e-6" calc boundaries --looks 20 --alpha 1e-6 --spending obf --json
time_it "calc boundaries, 100 looks, hsd:-4" calc boundaries --looks 100 --spending hsd:-4 --json
time_it "plan --looks 10 (inflation: power root solve)" plan --metric proportion --baseline 0.3 --mde 0.05 --relative --looks 10 --spending hsd:-2 --json
time_it "simulate 10,000 experiments x 10 looks" simulate --looks 10 --experiments 10000 --json
time_it "simulate 100,000 experiments x 20 looks" simulate --looks 20 --experiments 100000 --json
time_it "simulate 1,000,000 experiments x 10 looks" simulate --looks 10 --experiments 1000000 --json
