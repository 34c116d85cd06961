-- wrk script of bench/load.sh: adds the request's headers from the environment and prints one
-- machine-readable line at the end:
--   RESULT <req/s> <p50 ms> <p99 ms> <requests> <non-2xx/3xx> <socket errors> <bytes per response>
-- GAIBU_BENCH_AUTH: a header line such as "Authorization: Bearer gaibu_…" or
-- "Cookie: gaibu_session=…" (empty: none).

local auth = os.getenv("GAIBU_BENCH_AUTH") or ""
local name, value = auth:match("^([^:]+):%s*(.*)$")
if name then
  wrk.headers[name] = value
end
wrk.headers["Accept-Language"] = "ja"

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local n = summary.requests
  local e = summary.errors
  local sock = e.connect + e.read + e.write + e.timeout
  local per = 0
  if n > 0 then per = summary.bytes / n end
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d %d %.0f\n",
    n / secs,
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    n, e.status, sock, per))
end
