#!/usr/bin/env bash
# Installs what the warehouse tests need on Debian when missing: PostgreSQL 15 (server binaries, for a
# throwaway cluster), a Java runtime for Spark, and a Python virtual environment with duckdb, sqlglot,
# pyspark and pytest. The environment lives in $STRATA_WAREHOUSE_VENV (default
# ~/.cache/strata/warehouse-venv) so worktrees and runs share it; the script prints its python on the last
# line.
set -euo pipefail
source "$(dirname "$0")/lib/deps.sh"
VENV="${STRATA_WAREHOUSE_VENV:-$HOME/.cache/strata/warehouse-venv}"
deps_ensure "PostgreSQL server" "ls /usr/lib/postgresql/*/bin/initdb" postgresql >&2
deps_ensure "Java runtime (for Spark)" "command -v java" default-jre-headless >&2
deps_ensure "OpenSSL (a certificate for the TLS test cluster)" "command -v openssl" openssl >&2
deps_ensure "Python venv" "python3 -c 'import ensurepip, venv'" python3-venv >&2
if ! "$VENV/bin/python" -c "import duckdb, sqlglot, pyspark, pytest" >/dev/null 2>&1; then
  echo "strata: creating $VENV (PyPI duckdb, sqlglot, pyspark, pytest)" >&2
  python3 -m venv "$VENV" >&2
  if ! "$VENV/bin/pip" install -q "duckdb>=1.1" "sqlglot>=25" "pyspark>=3.5" "pytest>=8" >&2; then
    echo "strata: pip could not install the warehouse test packages; run by hand:" >&2
    echo "  $VENV/bin/pip install duckdb sqlglot pyspark pytest" >&2
    exit 1
  fi
fi
echo "$VENV/bin/python"
