-- Loads a session in one round trip: reads it, drops it if a deadline passed, slides its idle
-- deadline when due, and raises its fence when a lock was just granted.
-- KEYS[1]: the session hash ("prefix{tag}secretHash")
-- ARGV[1]: now, epoch ms (the app's clock, so memory and Redis stores agree)
-- ARGV[2]: idle timeout, ms
-- ARGV[3]: slide the idle deadline once this many ms have passed since the last slide
-- ARGV[4]: '1' to raise the fence (field n) and return it, '0' not to
-- Returns {'missing'} | {'expired'} | {'found', slid '1'|'0', fields as HGETALL gives them}
local fields = redis.call('HGETALL', KEYS[1])
if #fields == 0 then
  return {'missing'}
end
local now = tonumber(ARGV[1])
local idle = tonumber(ARGV[2])
local lastAccess, absolute, lastAccessIndex, fenceIndex
for i = 1, #fields, 2 do
  local name = fields[i]
  if name == 'a' then
    lastAccess = tonumber(fields[i + 1])
    lastAccessIndex = i + 1
  elseif name == 'x' then
    absolute = tonumber(fields[i + 1])
  elseif name == 'n' then
    fenceIndex = i + 1
  end
end
if not lastAccess or not absolute or now >= absolute or now >= lastAccess + idle then
  redis.call('DEL', KEYS[1])
  return {'expired'}
end
local slid = '0'
if now - lastAccess >= tonumber(ARGV[3]) then
  redis.call('HSET', KEYS[1], 'a', ARGV[1])
  redis.call('PEXPIREAT', KEYS[1], math.min(now + idle, absolute))
  fields[lastAccessIndex] = ARGV[1]
  slid = '1'
end
if ARGV[4] == '1' then
  local fence = redis.call('HINCRBY', KEYS[1], 'n', 1)
  if fenceIndex then
    fields[fenceIndex] = tostring(fence)
  else
    fields[#fields + 1] = 'n'
    fields[#fields + 1] = tostring(fence)
  end
end
return {'found', slid, fields}
