-- wrk runs done() after its text summary. It prints one line of exact figures
-- (microseconds, counts, bytes) that stackbench.wrk parses, instead of the
-- rounded "2.11ms" of the summary. wrk's LuaJIT has no JSON, so: key=value.
-- The summary's "+/- Stdev": percent of samples within one stdev of the mean.
-- stats(i) is the i-th distinct value and its count; #stats how many there are.
local function within_stdev(stats)
  local lower, upper = stats.mean - stats.stdev, stats.mean + stats.stdev
  local total, inside = 0, 0
  for i = 1, #stats do
    local value, count = stats(i)
    total = total + count
    if value >= lower and value <= upper then inside = inside + count end
  end
  if total == 0 then return 0 / 0 end
  return inside / total * 100
end

done = function(summary, latency, requests)
  local e = summary.errors
  local fields = {
    {"duration_us", summary.duration}, {"requests", summary.requests},
    {"bytes", summary.bytes},
    {"connect_errors", e.connect}, {"read_errors", e.read},
    {"write_errors", e.write}, {"timeout_errors", e.timeout},
    {"status_errors", e.status},
    {"latency_min_us", latency.min}, {"latency_max_us", latency.max},
    {"latency_mean_us", latency.mean}, {"latency_stdev_us", latency.stdev},
    {"latency_within_stdev", within_stdev(latency)},
    {"latency_p50_us", latency:percentile(50)},
    {"latency_p75_us", latency:percentile(75)},
    {"latency_p90_us", latency:percentile(90)},
    {"latency_p99_us", latency:percentile(99)},
    {"latency_p99_9_us", latency:percentile(99.9)},
    {"rate_mean", requests.mean}, {"rate_stdev", requests.stdev},
    {"rate_max", requests.max}, {"rate_within_stdev", within_stdev(requests)},
  }
  local parts = {}
  for i, field in ipairs(fields) do
    parts[i] = string.format("%s=%.17g", field[1], field[2])
  end
  io.write("stackbench-wrk ", table.concat(parts, " "), "\n")
end
