-- One GraphQL POST per request for wrk (bench/README.md).
-- wrk ... -s bench/wrk/graphql.lua URL -- BODY VALUES TOKENS NONCE THREADS OFFSET
--   BODY    a JSON file; "@VALUE@" in it becomes the next line of VALUES on each request,
--           "@KEY@" a key unique to the request (NONCE-thread-counter)
--   VALUES  a file of values, one a line, or "-"
--   TOKENS  a file of bearer tokens, one a line, or "-": one line is a fixed token; several are
--           dealt out one per request (thread t takes lines t, t+THREADS, ...) so that each
--           request is a fresh account, from line OFFSET on (earlier runs used those before);
--           running out starts again and is counted as reused
-- done() prints one line "BENCH {json}" that bench/run.py reads.

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local function read_lines(path)
  local out = {}
  if path == nil or path == "-" then
    return out
  end
  for line in io.lines(path) do
    if #line > 0 then
      out[#out + 1] = line
    end
  end
  return out
end

function init(args)
  local f = assert(io.open(args[1], "rb"))
  template = f:read("*a")
  f:close()
  values = read_lines(args[2])
  tokens = read_lines(args[3])
  nonce = args[4] or "0"
  nthreads = tonumber(args[5]) or 1
  offset = tonumber(args[6]) or 0
  counter = 0
  reused = 0
  headers = { ["Content-Type"] = "application/json", ["Accept"] = "application/json" }
  if #tokens == 1 then
    headers["Authorization"] = "Bearer " .. tokens[1]
  end
  varies = #tokens > 1 or template:find("@VALUE@", 1, true) or template:find("@KEY@", 1, true)
  if not varies then
    -- Same bytes every time: build the request once, as wrk does for a static request.
    fixed = wrk.format("POST", nil, headers, template)
  end
end

function request()
  if fixed then
    return fixed
  end
  counter = counter + 1
  local h = headers
  if #tokens > 1 then
    local i = offset + tid + 1 + (counter - 1) * nthreads
    if i > #tokens then
      reused = reused + 1
      i = (i - 1) % #tokens + 1
    end
    h = { ["Content-Type"] = "application/json", ["Accept"] = "application/json",
          ["Authorization"] = "Bearer " .. tokens[i] }
  end
  local body = template
  if #values > 0 then
    local v = values[(tid * 7919 + counter) % #values + 1]
    body = body:gsub("@VALUE@", function() return v end)
  end
  local key = nonce .. "-" .. tid .. "-" .. counter
  body = body:gsub("@KEY@", function() return key end)
  return wrk.format("POST", nil, h, body)
end

function done(summary, latency, requests)
  local reused_total = 0
  for _, t in ipairs(threads) do
    reused_total = reused_total + (t:get("reused") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,'
      .. '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,'
      .. '"p99_us":%d,"mean_us":%.1f,"max_us":%d,"tokens_reused":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.mean, latency.max, reused_total))
end
