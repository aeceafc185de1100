-- Removes a session in one round trip and revokes its {tag}: a tombstone "prefix{tag}" (same
-- slot) makes load and commit treat every key of the tag as gone, so a token move (rotation,
-- regeneration) that raced this destroy cannot keep the session alive under a new key. Through a
-- rotation's grace pointer (a hash holding only '>'), the session it leads to goes too; a pointer
-- to a pointer (rotations closer together than the grace) is followed, at most 8 hops, and every
-- pointer on the way is removed. Everything is read before anything is deleted, so a script
-- stopped half-way (a Cluster slot migrating) has deleted nothing.
-- KEYS[1]: the session hash ("prefix{tag}secretHash")
-- ARGV[1]: now, epoch ms
-- ARGV[2]: the session's absolute deadline when the caller knows the key was this session's
--         (the tag is then revoked even if the key names nothing any more), or ''
-- ARGV[3]: how long the tombstone lives when no deadline is known (the longest session life), ms
-- Returns {1 when a session was removed else 0, the keys deleted (KEYS[1] and every key on the
-- chain it led along)}.
local key = KEYS[1]
local tagEnd = string.find(key, '}', 1, true)
local tombstone = tagEnd and string.sub(key, 1, tagEnd)
if tombstone then
  redis.call('EXISTS', tombstone)
end
local deleted = {}
local session = key
for _ = 1, 8 do
  local target = redis.call('HGET', session, '>')
  if not target then
    break
  end
  deleted[#deleted + 1] = session
  if not tagEnd or string.sub(target, 1, tagEnd) ~= string.sub(key, 1, tagEnd) then
    session = nil
    break
  end
  session = target
end
-- A chain longer than 8 hops leads nowhere this script follows.
if session and redis.call('HEXISTS', session, '>') == 1 then
  session = nil
end
local now = tonumber(ARGV[1])
-- The tag lives no longer than the session's absolute deadline, which never moves.
local untilAt = tonumber(ARGV[2])
local stored = session and tonumber(redis.call('HGET', session, 'x'))
if stored and (not untilAt or stored > untilAt) then
  untilAt = stored
end
untilAt = untilAt or now + tonumber(ARGV[3])
for _, pointer in ipairs(deleted) do
  redis.call('DEL', pointer)
end
local removed = 0
if session then
  removed = redis.call('DEL', session)
  deleted[#deleted + 1] = session
end
-- Without a deadline from the caller, a key that names nothing revokes nothing: only a caller
-- that knows the key was this session's (revocation, logout) revokes a tag it no longer finds.
if removed == 0 and ARGV[2] == '' then
  return {0, unpack(deleted)}
end
if tombstone and untilAt > now then
  if not redis.call('SET', tombstone, '1', 'NX', 'PXAT', untilAt) then
    redis.call('PEXPIREAT', tombstone, untilAt, 'GT')
  end
end
return {removed, unpack(deleted)}
