#!/usr/bin/env bash
# The main job, end to end: installs GSL when missing, builds `strata`, analyses the bundled gym-renewal
# reminder experiment (SRM check, per-segment results, pooled estimate) and writes its stakeholder reports
# to reports/, then the email factorial example (subject × image × CTA: main effects and interactions from
# one send), then runs the planning walk-through for the gym campaign.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/build.sh
STRATA=.build/debug/strata
echo "== Gym renewal reminder: did a reminder raise renewals, and for which members? =="
# The plan has 3 looks; the bundled data is look 1. The look log goes next to the (git-ignored) reports, so
# re-running on the same data reuses look 1 instead of recording a new look.
$STRATA analyze --experiment experiments/gym-renewal.yaml --data experiments/data/gym-renewal.csv --report reports/ \
  --look-log reports/gym-renewal.looks.jsonl
echo
echo "== Spring newsletter: subject × image × call to action, all eight combinations at once =="
$STRATA analyze --experiment experiments/email-factorial.yaml --data experiments/data/email-factorial.csv --report reports/
echo
echo "== Gym renewal reminder: how many members per arm? =="
echo "   (baseline renewal 18%, we want to detect a 10% relative lift, 3 variants, 1,200 members a day)"
$STRATA plan --metric proportion --baseline 0.18 --mde 0.10 --relative --variants 3 --daily-units 1200
