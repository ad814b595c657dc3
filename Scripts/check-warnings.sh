#!/usr/bin/env bash
# Fails when a build log holds compiler warnings in our own code (Sources, Tests, Benchmarks), ignoring
# warnings in dependencies under .build/. Used by Scripts/build.sh on every build (unless
# STRATA_ALLOW_WARNINGS=1); a clean build's log covers every file, an incremental one only what was recompiled.
#
#   bash Scripts/check-warnings.sh BUILD_LOG
set -euo pipefail
cd "$(dirname "$0")/.."
log=${1:?usage: check-warnings.sh BUILD_LOG}
root=$(pwd -P)
warnings=$(grep -E "^(${root}|$(pwd))/(Sources|Tests|Benchmarks)/[^:]+:[0-9]+:[0-9]+: warning:" "$log" | sort -u || true)
if [ -n "$warnings" ]; then
  echo "$warnings" >&2
  echo "strata: $(echo "$warnings" | wc -l) compiler warning(s) in our own code (fix them; CI fails on warnings)" >&2
  exit 1
fi
