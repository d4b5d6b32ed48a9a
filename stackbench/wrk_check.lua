-- The response check: one unrecorded wrk run per pair and scenario in which
-- every response's status and body are compared with the answer that passed
-- the contract check (stackbench.contract), given as arguments after "--":
-- the status, then the body in hex. Defining response() makes wrk parse
-- every body in Lua, which slows wrk down: that is why recorded runs don't.
-- It prints the usual exact-figures line (wrk_done.lua) and one more line:
--   stackbench-check checked=N mismatches=M example=<hex of "status body">
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "wrk_done.lua")
local print_figures = done

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local function unhex(text)
  return (text:gsub("..", function(pair) return string.char(tonumber(pair, 16)) end))
end

local function hex(text)
  return (text:gsub(".", function(c) return string.format("%02x", c:byte()) end))
end

function init(args)
  expected_status = tonumber(args[1])
  expected_body = unhex(args[2] or "")
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
  local total, wrong, first = 0, 0, ""
  for _, thread in ipairs(threads) do
    total = total + (thread:get("checked") or 0)
    wrong = wrong + (thread:get("mismatches") or 0)
    if first == "" then first = thread:get("example") or "" end
  end
  io.write(string.format("stackbench-check checked=%d mismatches=%d example=%s\n", total, wrong, hex(first)))
end
