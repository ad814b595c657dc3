-- wrk: single-flag OFREP evaluations for random units (a new unit id per request).
-- Env: STRATA_FLAG (experiment id), STRATA_KEY (API key; optional).
local flag = os.getenv("STRATA_FLAG") or "gym-renewal-2026"
local key = os.getenv("STRATA_KEY")
wrk.method = "POST"
wrk.path = "/ofrep/v1/evaluate/flags/" .. flag
wrk.headers["Content-Type"] = "application/json"
if key and key ~= "" then wrk.headers["X-API-Key"] = key end

local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end

function init(args)
  math.randomseed(seed * 7919)
end

function request()
  local unit = "M" .. math.random(1, 10000000)
  local checkins = math.random(0, 60)
  local body = '{"context":{"targetingKey":"' .. unit .. '","marketing_opt_in":true,"membership_months":14,'
    .. '"status":"active","checkins_90d":' .. checkins .. '}}'
  return wrk.format(nil, nil, nil, body)
end

-- Status codes other than 200/304 are counted as failures in the summary.
local failures = 0
function response(status, headers, body)
  if status ~= 200 and status ~= 304 then failures = failures + 1 end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
