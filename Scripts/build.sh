#!/usr/bin/env bash
# The one build every script shares: the debug build of `strata` together with the tests
# (`swift build --build-tests`), so Scripts/main.sh, Scripts/test.sh and Scripts/examples.sh reuse each
# other's work. (A plain `swift build` compiles without testability and `--build-tests` with it, so
# mixing the two recompiles every module each time.) Installs GSL first when it is missing.
#
# Quiet: the compiler's progress stays on one line on a terminal (nothing in a log), and the full
# compiler output is printed only when the build fails. STRATA_BUILD_VERBOSE=1 shows everything.
# The binary is .build/debug/strata. Extra arguments go to `swift build`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/ensure-deps.sh
if [ "${STRATA_BUILD_VERBOSE:-}" = 1 ]; then
  exec swift build --build-tests "$@"
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
start=$SECONDS
if [ -t 2 ]; then tty=1; else tty=0; fi
if [ ! -x .build/debug/strata ]; then
  echo "strata: building (the first build takes up to 10 minutes on 2 shared cores)..." >&2
fi
set +e
swift build --build-tests "$@" 2>&1 | tee "$log" | awk -v tty="$tty" '
  /^\[[0-9]+\/[0-9]+\]/ { if (tty) { printf "\r\033[K%s", substr($0, 1, 100) > "/dev/stderr" } ; next }
  END { if (tty) printf "\r\033[K" > "/dev/stderr" }'
status=${PIPESTATUS[0]}
set -e
if [ "$status" -ne 0 ]; then
  grep -v -E '^\[[0-9]+/[0-9]+\]' "$log" >&2
  echo "strata: build failed (swift build --build-tests exited $status)" >&2
  exit "$status"
fi
# Compiler warnings in our own code (not in dependencies) fail the build, here and in CI alike;
# STRATA_ALLOW_WARNINGS=1 lets a work-in-progress build through. An incremental build's log covers only the
# files it recompiled, so touch a file to have its warnings checked again.
if [ "${STRATA_ALLOW_WARNINGS:-}" != 1 ]; then
  bash Scripts/check-warnings.sh "$log"
fi
echo "strata: build ready in $((SECONDS - start)) s: .build/debug/strata" >&2
