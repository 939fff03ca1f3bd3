-- wrk script: POST /api/v1/payments (external, with an Idempotency-Key and metadata).
-- Each wrk thread reads the invoice ids to pay from bench/results/invoices.txt and
-- sends a unique Idempotency-Key per request.
local counter = 0
local thread_id = 0
local threads = {}
local invoices = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  thread_id = tid
  for line in io.lines(os.getenv("BENCH_INVOICES")) do
    invoices[#invoices + 1] = line
  end
  math.randomseed(os.time() + thread_id * 7919)
end

request = function()
  counter = counter + 1
  local invoice = invoices[math.random(#invoices)]
  local body = string.format(
    '{"invoice_id":"%s","amount":12.50,"type":"bank_transfer","reference":"BENCH-%d-%d",' ..
    '"metadata":{"source":"bench","run":"%s"}}',
    invoice, thread_id, counter, os.getenv("BENCH_RUN") or "run")
  local headers = {
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY"),
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("%s-%d-%d", os.getenv("BENCH_RUN") or "run", thread_id, counter),
  }
  return wrk.format("POST", "/api/v1/payments", headers, body)
end

local failures = 0
response = function(status, headers, body)
  if status ~= 201 then
    failures = failures + 1
  end
end

done = function(summary, latency, requests)
  io.write(string.format(
    "JSON {\"requests\": %d, \"seconds\": %.3f, \"non_2xx\": %d, \"errors\": %d, " ..
    "\"p50_ms\": %.2f, \"p90_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f}\n",
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
end
