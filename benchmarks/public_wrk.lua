-- wrk report of bench_public_ranking.py: one JSON line with the percentiles (microseconds),
-- the request count and every kind of error.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50": %d, "p90": %d, ' ..
    '"p95": %d, "p99": %d, "max": %d, "mean": %.1f, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
