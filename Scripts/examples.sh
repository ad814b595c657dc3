#!/usr/bin/env bash
# Regenerates the committed example reports in reports/examples/ from the bundled experiments, byte for
# byte: each run records look 1 in a fresh look log, at the fixed time SOURCE_DATE_EPOCH (default
# 2026-11-22T00:00:00Z), so running it twice changes nothing and a diff shows only what the code changed.
#
#   bash Scripts/examples.sh && git diff --stat reports/examples
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/build.sh
STRATA=.build/debug/strata
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1795305600}
looks=$(mktemp -d)
trap 'rm -rf "$looks"' EXIT
$STRATA analyze --experiment experiments/gym-renewal.yaml --data experiments/data/gym-renewal.csv \
  --report reports/examples --look-log "$looks/gym-renewal.looks.jsonl" >/dev/null
$STRATA analyze --experiment experiments/email-factorial.yaml --data experiments/data/email-factorial.csv \
  --report reports/examples >/dev/null
$STRATA analyze --experiment experiments/basket-bundle.yaml --data experiments/data/basket-bundle.csv \
  --report reports/examples --no-look-log >/dev/null
$STRATA analyze --experiment experiments/city-delivery.yaml --data experiments/data/city-delivery.csv \
  --report reports/examples --no-look-log >/dev/null
echo "reports/examples/ regenerated (looks recorded at $SOURCE_DATE_EPOCH)"
