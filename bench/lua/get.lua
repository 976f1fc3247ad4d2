-- GET one service by ID; ids spread over 1..max when max is given.
local max = tonumber(os.getenv("BENCH_MAX_ID") or "0")
local base = os.getenv("BENCH_PATH")
request = function()
  if max > 0 then
    return wrk.format("GET", base .. "mailservice.get?ID=" .. math.random(1, max))
  end
  return wrk.format("GET", base .. "mailservice.get?ID=1")
end
