-- One wrk script for every graphmeet benchmark request, configured from the environment so the
-- shell scripts need no Lua of their own:
--
--   GM_METHOD        GET (default) or POST
--   GM_PATH          the path and query, e.g. /v1.0/users/{organizer}/onlineMeetings
--   GM_BODY          the request body (sent as is)
--   GM_CONTENT_TYPE  its Content-Type
--   GM_TOKEN         a bearer token for the Authorization header
--   GM_EXPECT        the status that counts as success (default 200)
--   GM_ORGANIZERS    a file of object ids, one a line: every request replaces {organizer} in
--                    GM_PATH with one picked at random
--
-- `done` prints one line, `GMBENCH key=value …`, that the shell scripts parse: requests, the
-- run's duration, latency percentiles (µs, from wrk's full latency record), responses with
-- another status than GM_EXPECT, and socket errors and timeouts.

local method = os.getenv("GM_METHOD") or "GET"
local path = os.getenv("GM_PATH") or "/healthz"
local body = os.getenv("GM_BODY")
local token = os.getenv("GM_TOKEN")
local content_type = os.getenv("GM_CONTENT_TYPE")
local expect = tonumber(os.getenv("GM_EXPECT") or "200")
local organizers_file = os.getenv("GM_ORGANIZERS")

wrk.method = method
wrk.path = path
if body and body ~= "" then
   wrk.body = body
end
if token and token ~= "" then
   wrk.headers["Authorization"] = "Bearer " .. token
end
if content_type and content_type ~= "" then
   wrk.headers["Content-Type"] = content_type
end

-- Only with a list of organizers is a request built per call; otherwise wrk sends one
-- pre-built request over and over, which costs the load generator least.
if organizers_file and organizers_file ~= "" then
   local organizers = {}
   for line in io.lines(organizers_file) do
      if line ~= "" then
         organizers[#organizers + 1] = line
      end
   end
   assert(#organizers > 0, "GM_ORGANIZERS names an empty file")
   function request()
      local organizer = organizers[math.random(#organizers)]
      return wrk.format(nil, (path:gsub("{organizer}", organizer)))
   end
end

-- setup and done run in wrk's main Lua state; init and response in each thread's.
local threads = {}

function setup(thread)
   threads[#threads + 1] = thread
   thread:set("thread_index", #threads)
end

function init(args)
   -- Each thread its own random sequence (LuaJIT starts every state with the same seed).
   math.randomseed(os.time() * 1000 + (thread_index or 0))
   bad = 0
   first_bad = 0
   first_bad_body = ""
end

function response(status, headers, response_body)
   if status ~= expect then
      bad = bad + 1
      if first_bad == 0 then
         first_bad = status
         first_bad_body = (response_body or ""):sub(1, 300)
      end
   end
end

function done(summary, latency, requests)
   local bad_total, first, first_body = 0, 0, ""
   for _, thread in ipairs(threads) do
      bad_total = bad_total + (thread:get("bad") or 0)
      local status = thread:get("first_bad") or 0
      if first == 0 and status ~= 0 then
         first = status
         first_body = thread:get("first_bad_body") or ""
      end
   end
   local e = summary.errors
   io.write(string.format(
      "GMBENCH requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d"
         .. " bad_status=%d first_bad_status=%d socket_errors=%d timeouts=%d\n",
      summary.requests, summary.duration,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      bad_total, first, e.connect + e.read + e.write, e.timeout))
   if first ~= 0 then
      io.write("GMBENCH_FIRST_BAD " .. first .. " " .. (first_body:gsub("[\r\n]", " ")) .. "\n")
   end
end
