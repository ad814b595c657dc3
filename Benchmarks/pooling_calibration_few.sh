#!/usr/bin/env bash
# The 2- and 3-segment rows of docs/analyze.md's calibration table: what `analyze` quotes with so few segments.
# Two segments: no calibrated interval (`calibrated_ci_*` null); `analyze` quotes the raw interval Bonferroni-
# adjusted for the 2 segments compared (`interval: raw_adjusted`, since 2026-12-05; the BLUP interval,
# `empirical_bayes`, before), read from coverage_quoted (the BLUP from coverage_shrunken). Three segments: the
# hierarchical-Bayes interval (flat priors on mu and tau, `interval: hierarchical_bayes`), read from
# coverage_calibrated. The segment `analyze` names: Benchmarks/pooling_selected_segment.sh. Seed 7,
# 5,000 campaigns, true tau 0, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.04; one JSON file per row.
# Run by hand:  bash Benchmarks/pooling_calibration_few.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
strata=${STRATA:-.build/debug/strata}
out=${1:-/tmp/strata-pooling-calibration-few}
mkdir -p "$out"
for tau in 0 0.0025 0.005 0.0075 0.01 0.015 0.02 0.04; do
  nice -n 10 "$strata" simulate pooling --segments 2 --tau "$tau" --campaigns 5000 --seed 7 --json \
    > "$out/blup_segments2_tau${tau}.json"
  nice -n 10 "$strata" simulate pooling --segments 3 --tau "$tau" --campaigns 5000 --seed 7 --calibrated \
    --calibrated-method hierarchical_bayes --json > "$out/hierarchical_bayes_segments3_tau${tau}.json"
done
echo "wrote $(ls "$out" | wc -l) files to $out"
