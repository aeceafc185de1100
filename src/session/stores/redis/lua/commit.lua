-- Commits a change set in one round trip: checks that the session may be written, optionally
-- moves it to a new key in the same slot (regeneration), applies HSET/HDEL of the changed fields
-- only, raises the version and sets the deadline.
-- KEYS[1]: the session hash ("prefix{tag}secretHash")
-- KEYS[2]: where the session is after the commit: KEYS[1], or the new key of a regenerated
--          session (same {tag}, so the same slot)
-- KEYS[3]: the session's lock key (same slot)
-- ARGV[1]: now, epoch ms
-- ARGV[2]: idle timeout, ms
-- ARGV[3]: absolute deadline (ms) to create a new session, or '' to update an existing one
-- ARGV[4]: version the commit expects (optimistic mode), or ''
-- ARGV[5]: fence of the lock the commit holds (locked mode), or ''
-- ARGV[6]: '1' to drop every data field ('.'-prefixed) before applying the change
-- ARGV[7]: value of the lock to release with this commit, or '' (released only if it still
--          holds KEYS[3], also when the commit is refused)
-- ARGV[8]: '' when a move is a regeneration; for a periodic rotation, the grace in ms during
--          which KEYS[1] stays behind as a pointer to KEYS[2] ('0': none)
-- ARGV[9]: number N of field/value pairs to set
-- ARGV[10]: number M of fields to delete
-- ARGV[11 .. 10+2N]: the pairs; ARGV[11+2N .. 10+2N+M]: the fields to delete
-- ARGV[11+2N+M]: the most data bytes the session may hold, or '' (no limit)
-- ARGV[12+2N+M]: the session's new absolute deadline (a remembered sign-in), or '' (unchanged)
-- Returns {'committed', version, expiresAt, aliased 0|1, key written} | {'gone'} (also for a
--         create in a revoked tag) | {'exists'}
--       | {'conflict', version} | {'fenced', fence} | {'toolarge', bytes}
-- A hash holding only '>' is a rotation's grace pointer: an update lands where it leads (same
-- {tag} only, so one slot), and aliased is 1. Pointers to pointers (rotations closer together
-- than the grace) are followed, at most 8 hops.
local key = KEYS[1]
local aliased = 0
if ARGV[3] == '' then
  local tagEnd = string.find(key, '}', 1, true)
  for _ = 1, 8 do
    local target = redis.call('HGET', key, '>')
    if not (target and tagEnd and string.sub(target, 1, tagEnd) == string.sub(key, 1, tagEnd)) then
      break
    end
    key = target
    aliased = 1
  end
end
local setCount = tonumber(ARGV[9])
local deleteCount = tonumber(ARGV[10])
local setLast = 10 + 2 * setCount
local deleteLast = setLast + deleteCount
local maxBytes = tonumber(ARGV[deleteLast + 1] or '')
local newDeadline = tonumber(ARGV[deleteLast + 2] or '')
local bytesBefore, bytesAfter
-- Measured on what the store holds (concurrent requests each see only their own view): a change
-- that would grow the session past maxBytes is refused; one that does not grow it always passes.
local function tooLarge(fresh)
  bytesBefore, bytesAfter =
    dataBytesAround(key, fresh, fresh or ARGV[6] == '1', 11, setLast, deleteLast)
  return maxBytes and bytesAfter > maxBytes and bytesAfter > bytesBefore
end
local function releaseLock()
  if ARGV[7] ~= '' and redis.call('GET', KEYS[3]) == ARGV[7] then
    redis.call('DEL', KEYS[3])
    -- Wakes the lock's waiters (they subscribe to the lock key's name).
    redis.call('PUBLISH', KEYS[3], '')
  end
end
-- A revoked tag (tombstone "prefix{tag}", see destroy.lua) is gone, whichever key of it this is.
local revokedEnd = string.find(KEYS[1], '}', 1, true)
if revokedEnd and redis.call('EXISTS', string.sub(KEYS[1], 1, revokedEnd)) == 1 then
  redis.call('DEL', key)
  releaseLock()
  return {'gone'}
end
local now = tonumber(ARGV[1])
local idle = tonumber(ARGV[2])
local absolute
if ARGV[3] ~= '' then
  local existing = redis.call('HMGET', key, 'x', 'a')
  if existing[1] then
    -- A session whose deadline passed (the app's clock ahead of Redis') is gone, not taken.
    if now < tonumber(existing[1]) and now < tonumber(existing[2] or '0') + idle then
      releaseLock()
      return {'exists'}
    end
    redis.call('DEL', key)
  end
  if tooLarge(true) then
    releaseLock()
    return {'toolarge', bytesAfter}
  end
  absolute = tonumber(ARGV[3])
  redis.call('HSET', key, 'v', 0, 'c', ARGV[1], 'x', ARGV[3], 'n', 0)
else
  -- Destroy wins: a session that is gone is never brought back by a commit.
  local meta = redis.call('HMGET', key, 'v', 'x', 'n', 'a')
  if not meta[1] then
    releaseLock()
    return {'gone'}
  end
  absolute = tonumber(meta[2])
  if now >= absolute or now >= tonumber(meta[4]) + idle then
    redis.call('DEL', key)
    releaseLock()
    return {'gone'}
  end
  if ARGV[4] ~= '' and meta[1] ~= ARGV[4] then
    releaseLock()
    return {'conflict', tonumber(meta[1])}
  end
  if ARGV[5] ~= '' and tonumber(meta[3]) > tonumber(ARGV[5]) then
    releaseLock()
    return {'fenced', tonumber(meta[3])}
  end
  -- A lock holder must not overwrite, with the copy it read, what was written without the lock.
  if ARGV[5] ~= '' and overwritesNoted(key, ARGV[5], 11, setLast, deleteLast) then
    releaseLock()
    return {'conflict', tonumber(meta[1])}
  end
  if tooLarge(false) then
    releaseLock()
    return {'toolarge', bytesAfter}
  end
end
-- Written without the lock while a holder works on the session: noted for the holder's commit.
local noted = ARGV[3] == '' and ARGV[5] == '' and notedWith(key, ARGV[6] == '1', 11, setLast, deleteLast)
if KEYS[2] ~= KEYS[1] then
  if aliased == 0 then
    redis.call('RENAME', key, KEYS[2])
    key = KEYS[2]
    local grace = tonumber(ARGV[8]) or 0
    if grace > 0 then
      redis.call('HSET', KEYS[1], '>', key)
      redis.call('PEXPIRE', KEYS[1], grace)
    end
  elseif ARGV[8] == '' then
    -- A regeneration through a pointer: the replaced token dies at once, pointer and all.
    redis.call('RENAME', key, KEYS[2])
    redis.call('DEL', KEYS[1])
    key = KEYS[2]
  end
  -- Else a rotation that lost the race to a concurrent one: the session stays where it went.
end
if ARGV[6] == '1' then
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if string.sub(field, 1, 1) == '.' then
      redis.call('HDEL', key, field)
    end
  end
end
-- In slices: unpack() of more than ~8000 values overflows Lua's stack.
local function inSlices(command, first, last, step)
  for from = first, last, step do
    redis.call(command, key, unpack(ARGV, from, math.min(from + step - 1, last)))
  end
end
inSlices('HSET', 11, setLast, 1000)
inSlices('HDEL', setLast + 1, deleteLast, 1000)
redis.call('HSET', key, 'z', bytesAfter)
if noted then
  redis.call('HSET', key, 'w', noted)
elseif ARGV[5] ~= '' then
  redis.call('HDEL', key, 'w')
end
if newDeadline and ARGV[3] == '' then
  absolute = newDeadline
  redis.call('HSET', key, 'x', newDeadline)
end
local version = redis.call('HINCRBY', key, 'v', 1)
redis.call('HSET', key, 'a', ARGV[1])
local expiresAt = math.min(now + idle, absolute)
redis.call('PEXPIREAT', key, expiresAt)
releaseLock()
return {'committed', version, expiresAt, aliased, key}
