-- The bench's wrk script (bench/wrk.py). One timed slice replays a plan, a Lua file the
-- harness writes per target and slice (env GRIDGRAPH_WRK_PLAN):
--   return { output = "result.json", headers = {...}, requests = { {path, body}, ... } }
-- The requests are the exact ones the Python client sends for the slice's operations (every
-- page of a paginated walk, with its cursor), POSTed in turn over keep-alive connections in a
-- closed loop. An answer counts as ok when its status is 200 and its body has no GraphQL
-- "errors"; the x-cypher-round-trips header is summed. done() writes the counts and the
-- latency quantiles (microseconds, per request) as JSON to `output`.

local plan = dofile(os.getenv("GRIDGRAPH_WRK_PLAN"))
local threads = {}
local id = 0

function setup(thread)
  id = id + 1
  thread:set("offset", id - 1)
  table.insert(threads, thread)
end

local formatted = {}
local turn = 0
ok, bad, trips, tripped = 0, 0, 0, 0

function init(args)
  for i, r in ipairs(plan.requests) do
    formatted[i] = wrk.format("POST", r[1], plan.headers, r[2])
  end
  turn = (offset or 0) % #formatted
end

function request()
  turn = turn % #formatted + 1
  return formatted[turn]
end

function response(status, headers, body)
  if status == 200 and not string.find(body, '"errors"', 1, true) then
    ok = ok + 1
  else
    bad = bad + 1
  end
  local t = headers["x-cypher-round-trips"]
  if t then
    trips = trips + tonumber(t)
    tripped = tripped + 1
  end
end

-- Percentiles written: 0.5 % steps and the tail (wrk's own nearest-value percentiles).
local function points()
  local ps = {}
  for k = 1, 199 do ps[#ps + 1] = k * 0.5 end
  for _, p in ipairs({ 99.75, 99.9, 100 }) do ps[#ps + 1] = p end
  return ps
end

function done(summary, latency, requests)
  local total = { ok = 0, bad = 0, trips = 0, tripped = 0 }
  for _, thread in ipairs(threads) do
    for key, _ in pairs(total) do total[key] = total[key] + (thread:get(key) or 0) end
  end
  local quantiles = {}
  if summary.requests > 0 then
    for _, p in ipairs(points()) do
      quantiles[#quantiles + 1] = string.format("[%g, %d]", p, latency:percentile(p))
    end
  end
  local e = summary.errors
  local out = assert(io.open(plan.output, "w"))
  out:write(string.format(
    '{"requests": %d, "duration_us": %d, "ok": %d, "bad": %d, "trips": %d, "tripped": %d, '
      .. '"socket_errors": %d, "timeouts": %d, "quantiles_us": [%s]}\n',
    summary.requests, summary.duration, total.ok, total.bad, total.trips, total.tripped,
    e.connect + e.read + e.write, e.timeout, table.concat(quantiles, ", ")))
  out:close()
end
