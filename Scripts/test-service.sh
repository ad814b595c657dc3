#!/usr/bin/env bash
# Tests `strata serve` as real clients use it: the Python OpenFeature SDK with its OFREP provider, 100,000
# units against `strata assign`, reloads under load, schemathesis against openapi.yaml and the PostgreSQL
# store on a throwaway cluster. Installs what it needs: PostgreSQL from Debian, the Python packages in a
# virtual environment (.build/service-venv). Run after the build (Scripts/test.sh does both); STRATA_BIN
# overrides .build/debug/strata; arguments go to pytest (e.g. -k openfeature).
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/lib/deps.sh
deps_ensure "PostgreSQL server (for the PostgreSQL store test)" "ls /usr/lib/postgresql/*/bin/initdb" postgresql
VENV=.build/service-venv
STAMP="$VENV/.strata-service-1"
if [ ! -f "$STAMP" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check \
    "openfeature-sdk==0.10.0" "openfeature-provider-ofrep==0.3.0" "schemathesis==4.32.5" "pytest>=8" "requests>=2.31"
  touch "$STAMP"
fi
"$VENV/bin/python" -m pytest -q -p no:cacheprovider Tests/service "$@"
