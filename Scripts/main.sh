#!/usr/bin/env bash
# The main job, end to end: installs GSL when missing, builds `strata`, analyses the bundled gym-renewal
# reminder experiment (SRM check, per-segment results, pooled estimate) and writes its stakeholder reports
# to reports/, then the email factorial example (subject × image × CTA: main effects and interactions from
# one send), then runs the planning walk-through for the gym campaign, and finally sends the gym campaign through
# `strata serve` (embedded SQLite on loopback): exposures and events in, the live result out, a planned look
# recorded, the server stopped with SIGTERM (Scripts/lib/service_walkthrough.py, Python standard library only).
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
echo "== Gym renewal reminder, next wave: how many members per arm? =="
echo "   (58% renew after the standard notice; detect +5 percentage points with 3 variants,"
echo "    3 looks with O'Brien-Fleming spending, 400 members reach their renewal date a day)"
$STRATA plan --metric proportion --baseline 0.58 --mde 0.05 --variants 3 --looks 3 --spending obf --daily-units 400
echo
echo "== The service: the same campaign sent through strata serve (embedded SQLite, loopback) =="
python3 Scripts/lib/service_walkthrough.py "$STRATA" reports/service
echo "The planned looks the service recorded, read from its database:"
$STRATA looks list --database sqlite:reports/service/strata.db --experiment gym-renewal-2026
echo
echo "Reports: reports/gym-renewal-2026.html, reports/email-factorial-2026.html (and .md)."
echo "The binary is .build/debug/strata; ./Scripts/install.sh puts a release build on your PATH (README)."
