#!/usr/bin/env bash
# The calibration table of docs/analyze.md (Calibration): `strata simulate pooling --calibrated`, seed 7, at
# 12 and 40 segments and true tau 0, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.04, plus the half-normal
# rows; one JSON file per row. METHOD is the calibrated interval scored: morris (Morris 1983, what `analyze`
# quotes; seconds per row) or hierarchical_bayes (flat prior on tau; minutes per row in a debug build).
# Run by hand:  bash Benchmarks/pooling_calibration.sh [OUT_DIR] [METHOD]
set -euo pipefail
cd "$(dirname "$0")/.."
strata=${STRATA:-.build/debug/strata}
out=${1:-/tmp/strata-pooling-calibration}
method=${2:-morris}
mkdir -p "$out"
for segments in 12 40; do
  campaigns=5000
  [ "$segments" = 40 ] && campaigns=2000
  for tau in 0 0.0025 0.005 0.0075 0.01 0.015 0.02 0.04; do
    nice -n 10 "$strata" simulate pooling --segments "$segments" --tau "$tau" --campaigns "$campaigns" --seed 7 \
      --calibrated --calibrated-method "$method" --json > "$out/${method}_segments${segments}_tau${tau}.json"
  done
done
nice -n 10 "$strata" simulate pooling --segments 12 --campaigns 4000 --seed 7 --calibrated \
  --calibrated-method "$method" --tau-prior-scale 0.01 --json > "$out/${method}_segments12_halfnormal0.01.json"
nice -n 10 "$strata" simulate pooling --segments 40 --campaigns 1500 --seed 7 --calibrated \
  --calibrated-method "$method" --tau-prior-scale 0.01 --json > "$out/${method}_segments40_halfnormal0.01.json"
echo "wrote $(ls "$out" | wc -l) files to $out"
