-- wrk script for tools/bench-serve.sh: POST /v1/assess of every file named
-- in the manifest (one path per line; YAML or JSON by extension), round
-- robin, with a bearer token; prints one JSON line of figures at the end.
--   MANIFEST=FILE TOKEN=T wrk -s tools/wrk-assess.lua -t N -c N -d 5s URL/v1/assess
local requests = {}
local next_request = 1

function init(args)
  local token = os.getenv("TOKEN")
  for path in io.lines(os.getenv("MANIFEST")) do
    local f = assert(io.open(path, "rb"))
    local body = f:read("*a")
    f:close()
    local media = path:match("%.json$") and "application/json" or "application/yaml"
    requests[#requests + 1] = wrk.format("POST", nil, {
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = media,
    }, body)
  end
  -- Threads start at different files.
  next_request = (math.random(#requests))
end

function request()
  local r = requests[next_request]
  next_request = next_request % #requests + 1
  return r
end

function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "errors": %d, "seconds": %.3f, "per_second": %.0f, "p50_ms": %.3f, "p90_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout,
    summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3,
    latency:percentile(99) / 1e3, latency.max / 1e3))
end
