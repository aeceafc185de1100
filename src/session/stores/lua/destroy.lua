-- Removes a session in one round trip and revokes its {tag}: a tombstone "prefix{tag}" (same
-- slot) makes load and commit treat every key of the tag as gone, so a token move (rotation,
-- regeneration) that raced this destroy cannot keep the session alive under a new key. Through a
-- rotation's grace pointer (a hash holding only '>'), the session it leads to goes too.
-- KEYS[1]: the session hash ("prefix{tag}secretHash")
-- ARGV[1]: now, epoch ms
-- ARGV[2]: the session's absolute deadline when the caller knows the key was this session's
--         (the tag is then revoked even if the key names nothing any more), or ''
-- ARGV[3]: how long the tombstone lives when no deadline is known (the longest session life), ms
-- Returns 1 when a session was removed, 0 otherwise.
local key = KEYS[1]
local tagEnd = string.find(key, '}', 1, true)
local session = key
local target = redis.call('HGET', key, '>')
if target and tagEnd and string.sub(target, 1, tagEnd) == string.sub(key, 1, tagEnd) then
  session = target
end
local now = tonumber(ARGV[1])
-- The tag lives no longer than the session's absolute deadline, which never moves.
local untilAt = tonumber(ARGV[2])
local stored = tonumber(redis.call('HGET', session, 'x'))
if stored and (not untilAt or stored > untilAt) then
  untilAt = stored
end
untilAt = untilAt or now + tonumber(ARGV[3])
local removed = redis.call('DEL', session)
if session ~= key then
  redis.call('DEL', key)
end
-- Without a deadline from the caller, a key that names nothing revokes nothing: only a caller
-- that knows the key was this session's (revocation, logout) revokes a tag it no longer finds.
if removed == 0 and ARGV[2] == '' then
  return 0
end
if tagEnd and untilAt > now then
  local tombstone = string.sub(key, 1, tagEnd)
  if not redis.call('SET', tombstone, '1', 'NX', 'PXAT', untilAt) then
    redis.call('PEXPIREAT', tombstone, untilAt, 'GT')
  end
end
return removed
