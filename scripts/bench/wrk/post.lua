-- wrk script: POST one body file on every request, count responses by status, optionally pace.
--
--   BODY_FILE=payload.png CONTENT_TYPE=image/png wrk -t2 -c16 -d20s -s post.lua URL
--   wrk -t2 -c64 -d20s -s post.lua URL -- payload.png image/png 500 2
--       (script args: body file, content type, target rate, wrk thread count; each overrides its env var)
--
-- Environment (or the script args above):
--   BODY_FILE          file sent as the request body (required)
--   CONTENT_TYPE       Content-Type header (default image/png); CONTENT_TYPE_FILE: read it from a file
--   TARGET_RATE        requests/s over ALL connections; unset or 0 = closed loop, as fast as possible
--   WRK_THREADS        the -t you gave wrk (default 2); each thread paces TARGET_RATE / WRK_THREADS
--   BENCH_LABEL        free text copied into the result line
--
-- Pacing is CLOSED-LOOP: each thread keeps a schedule of send times spaced 1/(rate per thread) apart
-- and, through wrk's delay(), holds each connection's next request until its slot. A connection
-- still waiting for a response cannot send, so when the server slows down, requests are sent late
-- instead of piling up, and the latency wrk measures starts at the actual send: the queueing delay
-- a real open-loop arrival stream would see is understated (coordinated omission). The result line
-- says so, compares the achieved rate with the target and reports how many sends were late and by
-- how much (the part of the delay that the latency figures do not include). Slots missed are caught
-- up as soon as connections free up. wrk's delay() has millisecond resolution; the schedule is kept
-- in fractional milliseconds so the average rate is right, individual sends jitter by up to 1 ms.
--
-- done() prints one line:  WRK_RESULT {json}  (latencies in ms, duration in s).

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec_t;
int clock_gettime(int clk_id, bench_timespec_t *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec_t")
local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local function read_file(path)
  local f, err = io.open(path, "rb")
  if not f then
    error("post.lua: cannot open " .. tostring(path) .. ": " .. tostring(err))
  end
  local data = f:read("*a")
  f:close()
  return data
end

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- per-thread state (each wrk thread has its own Lua state; done() reads these with thread:get)
statuses = {}     -- status code -> responses
responses = 0
target_rate = 0
assumed_threads = 0
sends = 0         -- requests released by delay()
late = 0          -- sends whose slot had already passed
lag_total_ms = 0  -- sum over late sends of how late they were
lag_max_ms = 0
body_bytes = 0
body_file = ""
content_type = ""

function init(args)
  body_file = args[1] or os.getenv("BODY_FILE")
  if not body_file or body_file == "" then
    error("post.lua: set BODY_FILE (or pass the body file as the first script argument)")
  end
  content_type = args[2] or os.getenv("CONTENT_TYPE")
  if not content_type or content_type == "" then
    local ct_file = os.getenv("CONTENT_TYPE_FILE")
    content_type = (ct_file and ct_file ~= "") and trim(read_file(ct_file)) or "image/png"
  end
  target_rate = tonumber(args[3] or os.getenv("TARGET_RATE") or "0") or 0
  assumed_threads = tonumber(args[4] or os.getenv("WRK_THREADS") or "2") or 2

  local body = read_file(body_file)
  body_bytes = #body
  wrk.method = "POST"
  wrk.body = body
  wrk.headers["Content-Type"] = content_type

  if target_rate > 0 then
    local interval_ms = 1000.0 * assumed_threads / target_rate
    local next_ms = nil
    -- wrk decides whether to call delay() by whether the global exists after init(), so define it
    -- only when pacing
    delay = function()
      local now = now_ms()
      if next_ms == nil then
        next_ms = now
      end
      local slot = next_ms
      next_ms = slot + interval_ms
      sends = sends + 1
      local wait = slot - now
      if wait < 0 then
        late = late + 1
        lag_total_ms = lag_total_ms - wait
        if -wait > lag_max_ms then
          lag_max_ms = -wait
        end
        return 0
      end
      return wait
    end
  end
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  responses = responses + 1
end

-- main state: remember the threads so done() can collect their counters
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local function json(v)
  local t = type(v)
  if t == "table" then
    local is_array = #v > 0
    local out = {}
    if is_array then
      for _, x in ipairs(v) do
        table.insert(out, json(x))
      end
      return "[" .. table.concat(out, ",") .. "]"
    end
    local keys = {}
    for k in pairs(v) do
      table.insert(keys, tostring(k))
    end
    table.sort(keys)
    for _, k in ipairs(keys) do
      local x = v[k]
      if x == nil then
        x = v[tonumber(k)]
      end
      table.insert(out, string.format("%q:%s", k, json(x)))
    end
    return "{" .. table.concat(out, ",") .. "}"
  elseif t == "number" then
    if v ~= v or v == math.huge or v == -math.huge then
      return "null"
    end
    if v == math.floor(v) and math.abs(v) < 1e15 then
      return string.format("%d", v)
    end
    return string.format("%.4f", v)
  elseif t == "string" then
    return string.format("%q", v)
  elseif t == "boolean" then
    return tostring(v)
  end
  return "null"
end

function done(summary, latency, requests)
  local by_status = {}
  local non2xx, s503, counted = 0, 0, 0
  local rate, assumed = 0, 0
  local t_sends, t_late, t_lag_total, t_lag_max = 0, 0, 0, 0
  local file, ctype, bytes = "", "", 0
  for _, thread in ipairs(threads) do
    local st = thread:get("statuses") or {}
    for code, n in pairs(st) do
      local key = tostring(code)
      by_status[key] = (by_status[key] or 0) + n
      counted = counted + n
      local c = tonumber(code)
      if c < 200 or c > 299 then
        non2xx = non2xx + n
      end
      if c == 503 then
        s503 = s503 + n
      end
    end
    rate = thread:get("target_rate") or 0
    assumed = thread:get("assumed_threads") or 0
    file = thread:get("body_file") or ""
    ctype = thread:get("content_type") or ""
    bytes = thread:get("body_bytes") or 0
    t_sends = t_sends + (thread:get("sends") or 0)
    t_late = t_late + (thread:get("late") or 0)
    t_lag_total = t_lag_total + (thread:get("lag_total_ms") or 0)
    local m = thread:get("lag_max_ms") or 0
    if m > t_lag_max then
      t_lag_max = m
    end
  end
  local duration_s = summary.duration / 1e6
  local rps = duration_s > 0 and summary.requests / duration_s or 0
  local e = summary.errors
  local result = {
    label = os.getenv("BENCH_LABEL") or "",
    body_file = file,
    body_bytes = bytes,
    content_type = ctype,
    requests = summary.requests,
    responses_counted = counted,
    duration_s = duration_s,
    rps = rps,
    latency_ms = {
      p50 = latency:percentile(50) / 1000,
      p95 = latency:percentile(95) / 1000,
      p99 = latency:percentile(99) / 1000,
      p999 = latency:percentile(99.9) / 1000,
      max = latency.max / 1000,
      mean = latency.mean / 1000,
    },
    status = by_status,
    non2xx = non2xx,
    s503 = s503,
    socket_errors = { connect = e.connect, read = e.read, write = e.write, timeout = e.timeout },
    threads = #threads,
  }
  if rate > 0 then
    result.pacing = {
      mode = "closed-loop (wrk delay()); NOT open-loop: latency understates queueing (coordinated omission)",
      target_rps = rate,
      achieved_rps = rps,
      achieved_fraction = rps / rate,
      assumed_threads = assumed,
      threads_match = (assumed == #threads),
      sends = t_sends,
      late_sends = t_late,
      late_fraction = t_sends > 0 and t_late / t_sends or 0,
      mean_lag_of_late_ms = t_late > 0 and t_lag_total / t_late or 0,
      max_lag_ms = t_lag_max,
    }
    if assumed ~= #threads then
      io.stderr:write(string.format("post.lua: WARNING: WRK_THREADS=%d but wrk ran %d threads; the rate is off by %.2fx\n",
        assumed, #threads, #threads / assumed))
    end
  else
    result.pacing = { mode = "closed-loop, unpaced (maximum throughput)" }
  end
  io.write("WRK_RESULT " .. json(result) .. "\n")
end
