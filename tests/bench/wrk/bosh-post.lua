-- wrk script: POSTs BOSH bodies of realistic size to /http-bind, as Jitsi Meet web clients do.
--
-- Bodies: the client->server presence bodies of 0.3-3 KB in the fixture transcripts (joins,
-- presence updates with SourceInfo, nick changes, leaves), in turn. Each wrk thread runs
-- BENCH_SESSIONS BOSH sessions: their first requests create them (the stub answers with the
-- sid named in X-Stub-Reply), then requests go round robin over the sessions with each
-- session's rid counting up, so the tap sees known sessions in rid order and parses and tracks
-- every body.
--
-- Environment (read at load time, since wrk decides whether to pace before init()):
--   BENCH_FIXTURES  colon-separated transcript files
--   BENCH_SESSIONS  sessions per thread (default 64)
--   BENCH_RUN       a tag that makes this run's sids unique within one boshtap process
--   BENCH_THINK_MS  mean pause before each request on a connection (exponential); unset: none
-- done() prints one line: "RESULT rps=... p50_us=... p99_us=... requests=... errors=..."

local function load_bodies(files)
  local bodies = {}
  local function keep(direction, payload)
    if direction ~= "C->S" or not payload:find("<presence", 1, true) then return end
    if #payload < 300 or #payload > 3000 then return end
    if payload:find('type="terminate"', 1, true) then return end -- would end the session
    payload = payload:gsub('rid="%d+"', 'rid="@@RID@@"', 1):gsub('sid="[^"]*"', 'sid="@@SID@@"', 1)
    bodies[#bodies + 1] = payload
  end
  for file in files:gmatch("[^:]+") do
    local direction, lines = nil, {}
    for line in io.lines(file) do
      if line:sub(1, 4) == "=== " then
        if direction then keep(direction, table.concat(lines, "\n"):match("^%s*(.-)%s*$")) end
        direction = (line:find("frame", 1, true) or line:find("HTTP", 1, true)) and "skip"
                    or line:match("^=== (%S+)")
        lines = {}
      elseif line:sub(1, 1) ~= "#" then
        lines[#lines + 1] = line
      end
    end
    if direction then keep(direction, table.concat(lines, "\n"):match("^%s*(.-)%s*$")) end
  end
  assert(#bodies > 0, "no client presence bodies of 0.3-3 KB in BENCH_FIXTURES")
  return bodies
end

local bodies = load_bodies(assert(os.getenv("BENCH_FIXTURES"), "BENCH_FIXTURES is not set"))
local per_thread = tonumber(os.getenv("BENCH_SESSIONS") or "64")
local run_tag = os.getenv("BENCH_RUN") or "run"
local think_ms = tonumber(os.getenv("BENCH_THINK_MS") or "")

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local ns = 'xmlns="http://jabber.org/protocol/httpbind"'
local sessions, created, n = {}, 0, 0

function init(args)
  for i = 1, per_thread do
    sessions[i] = { sid = string.format("%s-t%d-s%d", run_tag, tid, i), rid = 1000000 * i }
  end
end

function request()
  if created < per_thread then
    created = created + 1
    local s = sessions[created]
    local body = string.format('<body rid="%d" to="meet.jitsi" wait="60" hold="1" ver="1.6" %s/>', s.rid, ns)
    local reply = string.format('<body %s sid="%s" wait="60" inactivity="60" requests="2" hold="1"/>', ns, s.sid)
    return wrk.format("POST", "/http-bind", { ["Content-Type"] = "text/xml; charset=utf-8", ["X-Stub-Reply"] = reply }, body)
  end
  n = n + 1
  local s = sessions[(n - 1) % per_thread + 1]
  s.rid = s.rid + 1
  local body = bodies[(n - 1) % #bodies + 1]:gsub("@@RID@@", tostring(s.rid), 1):gsub("@@SID@@", s.sid, 1)
  return wrk.format("POST", "/http-bind", { ["Content-Type"] = "text/xml; charset=utf-8" }, body)
end

if think_ms then
  -- Exponential pauses, rounded to whole ms at random so their mean is exact.
  function delay()
    local d = -think_ms * math.log(1 - math.random())
    local whole = math.floor(d)
    if math.random() < d - whole then whole = whole + 1 end
    return whole
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT rps=%.1f p50_us=%d p99_us=%d requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout))
end
