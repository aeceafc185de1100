-- Loads a session in one round trip: reads it, drops it if a deadline passed, slides its idle
-- deadline when due, and raises its fence when a lock was just granted.
-- KEYS[1]: the session hash ("prefix{tag}secretHash")
-- ARGV[1]: now, epoch ms (the app's clock, so memory and Redis stores agree)
-- ARGV[2]: idle timeout, ms
-- ARGV[3]: slide the idle deadline once this many ms have passed since the last slide
-- ARGV[4]: '1' to raise the fence (field n) and return it, '0' not to
-- ARGV[5]: '1' to skip the tombstone check (the caller checks it on its own: a migrating Cluster
--          slot refuses a script that touches a key it lacks), else '0' or absent
-- Returns {'missing'} | {'expired'}
--       | {'found', slid '1'|'0', fields as HGETALL gives them, aliased '1'|'0'}
-- A hash holding only '>' is a rotation's grace pointer: the session is read where it leads
-- (aliased '1'). It is followed only into the same {tag}, so the script stays in one slot; a
-- pointer to a pointer (rotations closer together than the grace) too, at most 8 hops.
-- A tombstone "prefix{tag}" (destroy.lua) means the session was revoked: every key of it is gone.
local key = KEYS[1]
local revokedEnd = string.find(key, '}', 1, true)
if ARGV[5] ~= '1' and revokedEnd and redis.call('EXISTS', string.sub(key, 1, revokedEnd)) == 1 then
  redis.call('DEL', key)
  return {'missing'}
end
local aliased = '0'
local fields = redis.call('HGETALL', key)
local tagEnd = string.find(key, '}', 1, true)
for _ = 1, 8 do
  if fields[1] ~= '>' then
    break
  end
  local target = fields[2]
  if not tagEnd or string.sub(target, 1, tagEnd) ~= string.sub(key, 1, tagEnd) then
    return {'missing'}
  end
  key = target
  aliased = '1'
  fields = redis.call('HGETALL', key)
end
-- Nothing there, or a chain longer than the hops allowed: never mistaken for an expired session.
if #fields == 0 or fields[1] == '>' then
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
  redis.call('DEL', key)
  return {'expired'}
end
local slid = '0'
if now - lastAccess >= tonumber(ARGV[3]) then
  redis.call('HSET', key, 'a', ARGV[1])
  redis.call('PEXPIREAT', key, math.min(now + idle, absolute))
  fields[lastAccessIndex] = ARGV[1]
  slid = '1'
end
if ARGV[4] == '1' then
  local fence = redis.call('HINCRBY', key, 'n', 1)
  -- A lock holder reads now: from here on, commits without the lock note the data fields they
  -- write in 'w', tagged with this fence, so the holder's commit will not overwrite them.
  redis.call('HSET', key, 'w', fence .. '\n')
  if fenceIndex then
    fields[fenceIndex] = tostring(fence)
  else
    fields[#fields + 1] = 'n'
    fields[#fields + 1] = tostring(fence)
  end
end
return {'found', slid, fields, aliased}
