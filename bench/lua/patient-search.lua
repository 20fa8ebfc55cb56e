-- wrk script for bench/patient-search: GET /api/v1/patients?<by>=<value>
-- with a value drawn at random, per request, from the generator's sample
-- file (lines "card <card_no>" and "phone <phone>").
--
--   wrk -t2 -c16 -d10s --latency -s bench/lua/patient-search.lua URL -- KIND SAMPLE TOKEN
--
-- KIND is "card" (searches by card_no) or "phone"; TOKEN a staff bearer token.

local param = { card = "card_no", phone = "phone" }
local kind, values = nil, {}

-- Runs once per wrk thread, each with its own Lua state.
function init(args)
  kind = args[1]
  local file, token = args[2], args[3]
  if not param[kind] or not file or not token then
    error("usage: -- card|phone SAMPLE_FILE TOKEN")
  end
  for line in io.lines(file) do
    local k, v = line:match("^(%S+) (%S+)$")
    if k == kind then values[#values + 1] = v end
  end
  if #values == 0 then error("no '" .. kind .. "' lines in " .. file) end
  wrk.headers["Authorization"] = "Bearer " .. token
  -- A different sequence per thread (the table's address differs).
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16))
end

function request()
  return wrk.format("GET", "/api/v1/patients?" .. param[kind] .. "=" .. values[math.random(#values)])
end
