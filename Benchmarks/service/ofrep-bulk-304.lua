-- wrk: bulk OFREP revalidation: the same context with its ETag, answered 304 (no body).
-- Env: STRATA_ETAG (the ETag from a first answer), STRATA_KEY (optional).
local key = os.getenv("STRATA_KEY")
wrk.method = "POST"
wrk.path = "/ofrep/v1/evaluate/flags"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["If-None-Match"] = os.getenv("STRATA_ETAG") or '"none"'
if key and key ~= "" then wrk.headers["X-API-Key"] = key end
wrk.body = '{"context":{"targetingKey":"M1001","marketing_opt_in":true,"membership_months":14,"status":"active","checkins_90d":30}}'

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
