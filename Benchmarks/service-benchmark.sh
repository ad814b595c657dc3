#!/usr/bin/env bash
# strata serve vs the stack's ceiling (a bare Hummingbird handler returning a fixed JSON body of the same
# size), both release builds on loopback, driven by wrk: 64 connections, 2 threads, DURATION seconds
# (default 30) per run, ROUNDS rounds (default 2), the two servers interleaved. Run by hand; the figures go
# in docs/service.md. wrk shares the machine's cores with the server, as do other users of the machine.
#
#   bash Benchmarks/service-benchmark.sh            # DURATION=30 ROUNDS=2
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-30}
ROUNDS=${ROUNDS:-2}
STRATA_PORT=${STRATA_PORT:-8090}
CEILING_PORT=${CEILING_PORT:-8091}
source Scripts/lib/deps.sh
deps_ensure "wrk" "command -v wrk" wrk
deps_ensure "curl" "command -v curl" curl
swift build -c release --product strata
swift build -c release --product service-ceiling
BIN=$(swift build -c release --show-bin-path)
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
KEY=$("$BIN/strata" keys new --role server --name bench --keys "$WORK/keys.jsonl" | tail -n 1)
"$BIN/strata" serve --experiments experiments --database "sqlite:$WORK/strata.db" --port "$STRATA_PORT" \
  --keys "$WORK/keys.jsonl" --rate-limit 0 --log-level warning 2>"$WORK/serve.log" &
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$STRATA_PORT/readyz" >/dev/null && break; sleep 0.1; done
BODY='{"context":{"targetingKey":"M1001","marketing_opt_in":true,"membership_months":14,"status":"active","checkins_90d":30}}'
SIZE=$(curl -s -o /dev/null -w '%{size_download}' -H "X-API-Key: $KEY" -H 'Content-Type: application/json' \
  -d "$BODY" "http://127.0.0.1:$STRATA_PORT/ofrep/v1/evaluate/flags/gym-renewal-2026")
ETAG=$(curl -s -D - -o /dev/null -H "X-API-Key: $KEY" -H 'Content-Type: application/json' -d "$BODY" \
  "http://127.0.0.1:$STRATA_PORT/ofrep/v1/evaluate/flags" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
"$BIN/service-ceiling" --port "$CEILING_PORT" --size "$SIZE" >/dev/null &
sleep 1
echo "single-flag body: $SIZE bytes; wrk -t2 -c64 -d${DURATION}s; $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
run() {  # name port script
  local line
  line=$(STRATA_KEY=$KEY STRATA_ETAG=$ETAG wrk -t2 -c64 -d"${DURATION}s" --latency -s "$3" "http://127.0.0.1:$2" | grep '^RESULT')
  echo "$1 ${line#RESULT }"
}
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round (load $(cut -d' ' -f1-3 /proc/loadavg))"
  run "  ceiling-single" "$CEILING_PORT" Benchmarks/service/ofrep-single.lua
  run "  strata-single " "$STRATA_PORT" Benchmarks/service/ofrep-single.lua
  run "  ceiling-304   " "$CEILING_PORT" Benchmarks/service/ofrep-bulk-304.lua
  run "  strata-304    " "$STRATA_PORT" Benchmarks/service/ofrep-bulk-304.lua
done
