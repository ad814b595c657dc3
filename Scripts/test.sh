#!/usr/bin/env bash
# Runs every test: installs GSL when missing, builds (Scripts/build.sh, the same build as Scripts/main.sh,
# so neither redoes the other's work), then `swift test` (Swift Testing). Arguments go to `swift test`
# (e.g. --filter DocExamples). Then the warehouse tests against real engines (Scripts/test-warehouse.sh;
# Scripts/ensure-warehouse-deps.sh installs PostgreSQL, Java and a Python environment when missing) and the
# service's client tests (Scripts/test-service.sh: the OpenFeature SDK, schemathesis and PostgreSQL against
# real `strata serve` processes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/build.sh
swift test --skip-build "$@"
bash Scripts/test-warehouse.sh
bash Scripts/test-service.sh
