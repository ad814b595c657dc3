#!/usr/bin/env bash
# Puts `strata` on your PATH: a release build (`swift build -c release --static-swift-stdlib`, optimised:
# 10 min 11 s the first time on a quiet machine) copied to $PREFIX/bin (default ~/.local/bin;
# PREFIX=/usr/local as root for every user). The Swift runtime and Foundation are linked into the binary
# (198 MB instead of 123 MB): a command starts in about two thirds of the CPU time (docs/performance.md,
# Startup), and the binary runs without a Swift toolchain (GSL, SQLite and libstdc++ stay shared).
#
#   ./Scripts/install.sh                 # -> ~/.local/bin/strata
#   PREFIX=/usr/local ./Scripts/install.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/ensure-deps.sh
prefix=${PREFIX:-$HOME/.local}
echo "strata: release build (the first one took 10 min on 2 shared cores)..." >&2
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! swift build -c release --product strata --static-swift-stdlib >"$log" 2>&1; then
  grep -v -E '^\[[0-9]+/[0-9]+\]' "$log" >&2
  echo "strata: release build failed" >&2
  exit 1
fi
mkdir -p "$prefix/bin"
install -m 0755 .build/release/strata "$prefix/bin/strata"
echo "strata: installed $prefix/bin/strata ($("$prefix/bin/strata" --version))"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "strata: $prefix/bin is not on your PATH; add it, e.g.: export PATH=\"$prefix/bin:\$PATH\"" ;;
esac
