#!/usr/bin/env bash
# strata serve vs the stack's ceiling (a bare Hummingbird handler returning a fixed JSON body of the same
# size), both release builds on loopback, driven by wrk: 64 connections, 2 threads, DURATION seconds
# (default 30) per run, ROUNDS rounds (default 3), the two servers interleaved in every round. Prints each
# run, then per workload the ratio of Strata's requests/s to the ceiling's (round by round) and min / median
# / max of requests/s, ratio and p99. Run by hand; the figures go in docs/service.md. wrk shares the
# machine's cores with the server, as do other users of the machine: the ratio, not the absolute rate, is
# the figure. Neither server is niced (run the whole script with nice if you like: both get the same). The
# server's CPU time per run (user + system, from /proc) divided by its requests gives the server's CPU
# time per request, which does not count wrk's share of the cores and is the figure least disturbed by
# other users of the machine.
#
#   bash Benchmarks/service-benchmark.sh            # DURATION=30 ROUNDS=3
#   DURATION=10 ROUNDS=1 bash Benchmarks/service-benchmark.sh   # a quick look
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-30}
ROUNDS=${ROUNDS:-3}
STRATA_PORT=${STRATA_PORT:-8090}
CEILING_PORT=${CEILING_PORT:-8091}
source Scripts/lib/deps.sh
deps_ensure "wrk" "command -v wrk" wrk
deps_ensure "curl" "command -v curl" curl
deps_ensure "python3" "command -v python3" python3
swift build -c release --product strata
swift build -c release --product service-ceiling
BIN=$(swift build -c release --show-bin-path)
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
KEY=$("$BIN/strata" keys new --role server --name bench --keys "$WORK/keys.jsonl" | tail -n 1)
"$BIN/strata" serve --experiments experiments --database "sqlite:$WORK/strata.db" --port "$STRATA_PORT" \
  --keys "$WORK/keys.jsonl" --rate-limit 0 --log-level warning 2>"$WORK/serve.log" &
STRATA_PID=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$STRATA_PORT/readyz" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$STRATA_PORT/readyz" >/dev/null || {
  echo "strata serve did not become ready; its log:" >&2
  cat "$WORK/serve.log" >&2
  exit 1
}
BODY='{"context":{"targetingKey":"M1001","marketing_opt_in":true,"membership_months":14,"status":"active","checkins_90d":30}}'
SIZE=$(curl -s -o /dev/null -w '%{size_download}' -H "X-API-Key: $KEY" -H 'Content-Type: application/json' \
  -d "$BODY" "http://127.0.0.1:$STRATA_PORT/ofrep/v1/evaluate/flags/gym-renewal-2026")
ETAG=$(curl -s -D - -o /dev/null -H "X-API-Key: $KEY" -H 'Content-Type: application/json' -d "$BODY" \
  "http://127.0.0.1:$STRATA_PORT/ofrep/v1/evaluate/flags" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -H "X-API-Key: $KEY" -H 'Content-Type: application/json' \
  -H "If-None-Match: $ETAG" -d "$BODY" "http://127.0.0.1:$STRATA_PORT/ofrep/v1/evaluate/flags")
[ "$STATUS" = 304 ] || { echo "bulk revalidation answered $STATUS, not 304" >&2; exit 1; }
"$BIN/service-ceiling" --port "$CEILING_PORT" --size "$SIZE" >/dev/null &
CEILING_PID=$!
for _ in $(seq 1 100); do
  curl -s -o /dev/null -X POST "http://127.0.0.1:$CEILING_PORT/ofrep/v1/evaluate/flags" && break
  sleep 0.1
done
echo "single-flag body: $SIZE bytes; wrk -t2 -c64 -d${DURATION}s; $(nproc) cores;" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
cpu_ticks() {  # user + system clock ticks of a process so far
  awk '{print $14 + $15}' "/proc/$1/stat"
}
run() {  # name port script pid: wrk's figures, and the server's CPU time per request (cpu_us)
  local line before after
  before=$(cpu_ticks "$4")
  line=$(STRATA_KEY=$KEY STRATA_ETAG=$ETAG wrk -t2 -c64 -d"${DURATION}s" --latency -s "$3" "http://127.0.0.1:$2" |
    grep '^RESULT')
  after=$(cpu_ticks "$4")
  line="${line#RESULT } cpu_s=$(awk -v a="$after" -v b="$before" -v t="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", (a - b) / t}')"
  echo "  $1 $line" | tee -a "$WORK/results"
}
for round in $(seq 1 "$ROUNDS"); do
  echo "round $round (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  run ceiling-single "$CEILING_PORT" Benchmarks/service/ofrep-single.lua "$CEILING_PID"
  run strata-single "$STRATA_PORT" Benchmarks/service/ofrep-single.lua "$STRATA_PID"
  run ceiling-304 "$CEILING_PORT" Benchmarks/service/ofrep-bulk-304.lua "$CEILING_PID"
  run strata-304 "$STRATA_PORT" Benchmarks/service/ofrep-bulk-304.lua "$STRATA_PID"
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$WORK/results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    name, *fields = line.split()
    runs.setdefault(name, []).append(dict(field.split("=") for field in fields))
def spread(values, form):
    return " / ".join(form.format(v) for v in (min(values), statistics.median(values), max(values)))
for workload, goal in (("single", 0.80), ("304", 0.90)):
    strata, ceiling = runs[f"strata-{workload}"], runs[f"ceiling-{workload}"]
    ratios = [float(s["rps"]) / float(c["rps"]) for s, c in zip(strata, ceiling)]
    bad = sum(int(r["errors"]) + int(r["non2xx"]) for r in strata + ceiling)
    print(f"{workload}: Strata / ceiling requests/s, by round: {', '.join(f'{r:.2f}' for r in ratios)}"
          f"; min / median / max {spread(ratios, '{:.2f}')} (goal >= {goal:.2f}); errors {bad}")
    cpu = [float(c["cpu_s"]) / int(c["requests"]) / (float(s["cpu_s"]) / int(s["requests"])) for s, c in zip(strata, ceiling)]
    print(f"  ceiling / Strata server CPU per request, by round: {', '.join(f'{r:.2f}' for r in cpu)}"
          f"; min / median / max {spread(cpu, '{:.2f}')}")
    for name, rows in (("strata", strata), ("ceiling", ceiling)):
        print(f"  {name:8} requests/s {spread([float(r['rps']) for r in rows], '{:,.0f}')}"
              f"; p50 ms {spread([float(r['p50_ms']) for r in rows], '{:.2f}')}"
              f"; p99 ms {spread([float(r['p99_ms']) for r in rows], '{:.2f}')}"
              f"; server CPU us per request {spread([1e6 * float(r['cpu_s']) / int(r['requests']) for r in rows], '{:.1f}')}")
PY
