#!/usr/bin/env bash
# Runs every test: installs GSL when missing, builds, then `swift test` (Swift Testing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/ensure-deps.sh
swift build --build-tests
swift test --skip-build "$@"
