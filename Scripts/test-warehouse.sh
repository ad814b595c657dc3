#!/usr/bin/env bash
# The warehouse tests: the SQL `strata sql` prints, executed by real engines (DuckDB, a throwaway
# PostgreSQL cluster, Spark local[2]) and parsed/transpiled by sqlglot for trino, bigquery, snowflake and
# clickhouse; every result must equal the unit-level CSV path. Installs what it needs
# (Scripts/ensure-warehouse-deps.sh) and expects a built .build/debug/strata (Scripts/test.sh builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="$(bash Scripts/ensure-warehouse-deps.sh | tail -n 1)"
export STRATA="${STRATA:-$PWD/.build/debug/strata}"
cd Tests/Warehouse
exec "$PYTHON" -m pytest -q -p no:cacheprovider "$@"
