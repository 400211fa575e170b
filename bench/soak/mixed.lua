-- A mixed workload of signed-in users for wrk: mostly reads of pages and API views; one request
-- in ten is a write: a change to a country's notes (nine in ten writes) or a new person in one
-- of twenty countries (one in ten writes), so tables grow as they would in use, not without end.
-- CBRNHUB_READERS and CBRNHUB_WRITER hold API tokens (space-separated readers: one per user).
local readers = {}
for t in string.gmatch(os.getenv("CBRNHUB_READERS") or "", "%S+") do readers[#readers + 1] = t end
local writer = os.getenv("CBRNHUB_WRITER") or ""

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("thread_id", threads)
end

local reads = {
  "/api/v1/countries", "/api/v1/countries/UZ/overview", "/countries/UZ", "/regions/CA",
  "/api/v1/people?country_id=UZ", "/", "/api/v1/regions/CA/overview", "/organisations",
  "/countries/GE", "/api/v1/network",
}
local countries = { "UZ", "KZ", "KG", "TJ", "GE", "AM", "MD", "UA", "JO", "LB",
                    "KE", "UG", "MA", "SN", "PH", "TH", "AE", "QA", "DZ", "TN" }
local counter = 0

-- People read and type between requests: each connection waits 100-300 ms (200 on average), so
-- 200 connections offer about 1,000 requests a second instead of an unthrottled flood.
function delay()
  return math.random(100, 300)
end

function request()
  counter = counter + 1
  if counter % 10 == 0 then
    local headers = { ["Authorization"] = "Bearer " .. writer, ["Content-Type"] = "application/json" }
    -- Notes change in the twenty countries in turn; people are added to them in turn too
    -- (counted per person, so every country gets its share).
    local country = countries[(counter / 10) % #countries + 1]
    if counter % 100 == 0 then country = countries[(counter / 100) % #countries + 1] end
    if counter % 100 == 0 then
      local body = string.format('{"full_name":"Soak %d-%d","network_role":"other","country_id":"%s"}',
                                 thread_id or 0, counter, country)
      return wrk.format("POST", "/api/v1/people", headers, body)
    end
    local body = string.format('{"notes":"soak %d-%d"}', thread_id or 0, counter)
    return wrk.format("PATCH", "/api/v1/countries/" .. country, headers, body)
  end
  local token = readers[(counter % #readers) + 1]
  return wrk.format("GET", reads[(counter % #reads) + 1], { ["Authorization"] = "Bearer " .. token })
end

-- With CBRNHUB_ACK_DIR set (bench/soak/nodes), every person whose creation was acknowledged
-- (201) is written to a file of this thread, to check afterwards that none was lost.
local ack_dir = os.getenv("CBRNHUB_ACK_DIR")
if ack_dir then
  local acks
  function response(status, headers, body)
    if status ~= 201 then return end
    local name = body:match('"full_name":"(Soak [^"]*)"')
    if not name then return end
    acks = acks or io.open(ack_dir .. "/thread-" .. (thread_id or 0), "a")
    acks:write(name, "\n")
    acks:flush()
  end
end
