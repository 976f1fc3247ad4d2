-- POST a JSON body to one method. Adds get unique names; updates and gets spread over 1..max.
local method = os.getenv("BENCH_METHOD")
local base = os.getenv("BENCH_PATH")
local max = tonumber(os.getenv("BENCH_MAX_ID") or "8")
local counter = 0
local thread_id = 0
local headers = { ["Content-Type"] = "application/json" }

setup = function(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

request = function()
  counter = counter + 1
  local body
  if method == "mailservice.add" then
    body = '{"NAME":"bench ' .. tid .. '-' .. counter .. '","SERVER":"imap.bench.example","PORT":993,"ENCRYPTION":"Y","ACTIVE":"' .. (os.getenv("BENCH_ACTIVE") or "Y") .. '"}'
  elseif method == "mailservice.update" then
    body = '{"ID":' .. math.random(1, max) .. ',"SORT":' .. (counter % 1000) .. ',"LINK":"https://mail.example/' .. counter .. '"}'
  elseif method == "batch" then
    local commands = {}
    for i = 1, 50 do commands[i] = '"c' .. i .. '":"mailservice.get?ID=' .. math.random(1, max) .. '"' end
    body = '{"halt":0,"cmd":{' .. table.concat(commands, ",") .. '}}'
  end
  return wrk.format("POST", base .. method, headers, body)
end
