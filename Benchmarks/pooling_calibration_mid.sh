#!/usr/bin/env bash
# The 4-, 6- and 8-segment rows of docs/analyze.md's calibration table: Morris's (1983) interval, what
# `analyze` quotes from four segments, where its 2/(K - 3) term is largest (the main table covers 12 and 40).
# `strata simulate pooling --calibrated` (Morris by default), seed 7, 5,000 campaigns, true tau 0, 0.0025,
# 0.005, 0.0075, 0.01, 0.015, 0.02, 0.04; one JSON file per row; the raw, BLUP, MSE and tau-hat = 0 columns
# come from the same runs.
# Run by hand:  bash Benchmarks/pooling_calibration_mid.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
strata=${STRATA:-.build/debug/strata}
out=${1:-/tmp/strata-pooling-calibration-mid}
mkdir -p "$out"
for segments in 4 6 8; do
  for tau in 0 0.0025 0.005 0.0075 0.01 0.015 0.02 0.04; do
    nice -n 10 "$strata" simulate pooling --segments "$segments" --tau "$tau" --campaigns 5000 --seed 7 \
      --calibrated --json > "$out/morris_segments${segments}_tau${tau}.json"
  done
done
echo "wrote $(ls "$out" | wc -l) files to $out"
