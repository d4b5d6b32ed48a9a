-- The response check: one unrecorded wrk run per pair in which every
-- response's status and body are compared with the answer that passed the
-- contract check (stackbench.contract). One wrk thread per connection, the
-- scenarios taking turns, so that a single run loads the server with every
-- scenario at once, each response is compared with its own scenario's
-- answer, and each connection's count is known (a server that leaves a
-- connection unanswered for the whole run is caught). The arguments after
-- "--" come in threes, one three per scenario: the path, the status, the
-- body in hex.
-- Defining response() makes wrk parse every body in Lua, which slows wrk
-- down: that is why recorded runs don't.
-- It prints the usual exact-figures line (wrk_done.lua) and one line per thread (connection):
--   stackbench-check path=<hex> checked=N mismatches=M example=<hex of "status body">
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "wrk_done.lua")
local print_figures = done

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("index", #threads)
end

local function unhex(text)
  return (text:gsub("..", function(pair) return string.char(tonumber(pair, 16)) end))
end

local function hex(text)
  return (text:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

function init(args)
  local first = ((index - 1) % math.floor(#args / 3)) * 3
  -- wrk.init formats the thread's request from wrk.path after init returns.
  path = args[first + 1]
  wrk.path = path
  expected_status = tonumber(args[first + 2])
  expected_body = unhex(args[first + 3] or "")
  checked, mismatches, example = 0, 0, ""
end

function response(status, headers, body)
  checked = checked + 1
  if status ~= expected_status or body ~= expected_body then
    mismatches = mismatches + 1
    if example == "" then
      example = tostring(status) .. " " .. (body or ""):sub(1, 200)
    end
  end
end

function done(summary, latency, requests)
  print_figures(summary, latency, requests)
  for _, thread in ipairs(threads) do
    io.write(string.format("stackbench-check path=%s checked=%d mismatches=%d example=%s\n",
      hex(thread:get("path") or ""), thread:get("checked") or 0, thread:get("mismatches") or 0,
      hex(thread:get("example") or "")))
  end
end
