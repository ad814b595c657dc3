#!/usr/bin/env bash
# The calibration table of docs/analyze.md (Calibration): `strata simulate pooling --calibrated`, seed 7, at
# 12 and 40 segments and true tau 0, 0.0025, 0.005, 0.0075, 0.01, 0.02, plus the half-normal check; one JSON
# file per row.
# Run by hand (minutes per row in a debug build):  bash Benchmarks/pooling_calibration.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
strata=${STRATA:-.build/debug/strata}
out=${1:-/tmp/strata-pooling-calibration}
mkdir -p "$out"
for segments in 12 40; do
  campaigns=5000
  [ "$segments" = 40 ] && campaigns=2000
  for tau in 0 0.0025 0.005 0.0075 0.01 0.02; do
    nice -n 10 "$strata" simulate pooling --segments "$segments" --tau "$tau" --campaigns "$campaigns" --seed 7 \
      --calibrated --json > "$out/segments${segments}_tau${tau}.json"
  done
done
nice -n 10 "$strata" simulate pooling --segments 12 --campaigns 4000 --seed 7 --calibrated --tau-prior-scale 0.01 \
  --json > "$out/segments12_halfnormal0.01.json"
nice -n 10 "$strata" simulate pooling --segments 40 --campaigns 1500 --seed 7 --calibrated --tau-prior-scale 0.01 \
  --json > "$out/segments40_halfnormal0.01.json"
echo "wrote $(ls "$out" | wc -l) files to $out"
