-- Commits a change set in one round trip: checks that the session may be written, optionally
-- moves it to a new key in the same slot (regeneration), applies HSET/HDEL of the changed fields
-- only, raises the version and sets the deadline.
-- KEYS[1]: the session hash ("prefix{tag}secretHash")
-- KEYS[2]: optional; the new key of a regenerated session (same {tag}, so the same slot)
-- ARGV[1]: now, epoch ms
-- ARGV[2]: idle timeout, ms
-- ARGV[3]: absolute deadline (ms) to create a new session, or '' to update an existing one
-- ARGV[4]: version the commit expects (optimistic mode), or ''
-- ARGV[5]: fence of the lock the commit holds (locked mode), or ''
-- ARGV[6]: '1' to drop every data field ('.'-prefixed) before applying the change
-- ARGV[7]: number N of field/value pairs to set
-- ARGV[8]: number M of fields to delete
-- ARGV[9 .. 8+2N]: the pairs; ARGV[9+2N .. 8+2N+M]: the fields to delete
-- Returns {'committed', version, expiresAt} | {'gone'} | {'exists'} | {'conflict', version}
--       | {'fenced', fence}
local key = KEYS[1]
local now = tonumber(ARGV[1])
local idle = tonumber(ARGV[2])
local absolute
if ARGV[3] ~= '' then
  if redis.call('EXISTS', key) == 1 then
    return {'exists'}
  end
  absolute = tonumber(ARGV[3])
  redis.call('HSET', key, 'v', 0, 'c', ARGV[1], 'x', ARGV[3], 'n', 0)
else
  -- Destroy wins: a session that is gone is never brought back by a commit.
  local meta = redis.call('HMGET', key, 'v', 'x', 'n', 'a')
  if not meta[1] then
    return {'gone'}
  end
  absolute = tonumber(meta[2])
  if now >= absolute or now >= tonumber(meta[4]) + idle then
    redis.call('DEL', key)
    return {'gone'}
  end
  if ARGV[4] ~= '' and meta[1] ~= ARGV[4] then
    return {'conflict', tonumber(meta[1])}
  end
  if ARGV[5] ~= '' and tonumber(meta[3]) > tonumber(ARGV[5]) then
    return {'fenced', tonumber(meta[3])}
  end
end
if KEYS[2] then
  redis.call('RENAME', key, KEYS[2])
  key = KEYS[2]
end
if ARGV[6] == '1' then
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if string.sub(field, 1, 1) == '.' then
      redis.call('HDEL', key, field)
    end
  end
end
local setCount = tonumber(ARGV[7])
local deleteCount = tonumber(ARGV[8])
if setCount > 0 then
  redis.call('HSET', key, unpack(ARGV, 9, 8 + 2 * setCount))
end
if deleteCount > 0 then
  redis.call('HDEL', key, unpack(ARGV, 9 + 2 * setCount, 8 + 2 * setCount + deleteCount))
end
local version = redis.call('HINCRBY', key, 'v', 1)
redis.call('HSET', key, 'a', ARGV[1])
local expiresAt = math.min(now + idle, absolute)
redis.call('PEXPIREAT', key, expiresAt)
return {'committed', version, expiresAt}
