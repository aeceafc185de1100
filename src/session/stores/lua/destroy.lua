-- Removes a session in one round trip; through a rotation's grace pointer (a hash holding only
-- '>'), the session it leads to goes too, so signing out with a just-replaced token still ends it.
-- A pointer to a pointer (rotations closer together than the grace) is followed, at most 8 hops,
-- and every pointer on the way is removed.
-- KEYS[1]: the session hash ("prefix{tag}secretHash")
-- Returns 1 when a session was removed, 0 otherwise.
local key = KEYS[1]
local tagEnd = string.find(key, '}', 1, true)
for _ = 1, 8 do
  local target = redis.call('HGET', key, '>')
  if not target then
    return redis.call('DEL', key)
  end
  redis.call('DEL', key)
  if not tagEnd or string.sub(target, 1, tagEnd) ~= string.sub(key, 1, tagEnd) then
    return 0
  end
  key = target
end
return 0
