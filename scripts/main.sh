#!/usr/bin/env bash
# The main job, end to end: installs GSL when missing, builds `strata`, and runs the planning
# walk-through for the gym-renewal reminder campaign.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
swift build
STRATA=.build/debug/strata
echo "== Gym renewal reminder: how many members per arm? =="
echo "   (baseline renewal 18%, we want to detect a 10% relative lift, 3 variants, 1,200 members a day)"
$STRATA plan --metric proportion --baseline 0.18 --mde 0.10 --relative --variants 3 --daily-units 1200
