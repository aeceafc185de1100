-- Removes a session in one round trip; through a rotation's grace pointer (a hash holding only
-- '>'), the session it leads to goes too, so signing out with a just-replaced token still ends it.
-- A pointer to a pointer (rotations closer together than the grace) is followed, at most 8 hops,
-- and every pointer on the way is removed. The chain is read before anything is deleted, so a
-- script stopped half-way (a Cluster slot migrating) has deleted nothing.
-- KEYS[1]: the session hash ("prefix{tag}secretHash")
-- Returns {1 when a session was removed else 0, the keys deleted (KEYS[1] and every key on the
-- chain it led along)}.
local key = KEYS[1]
local tagEnd = string.find(key, '}', 1, true)
local pointers = {}
for _ = 1, 8 do
  local target = redis.call('HGET', key, '>')
  if not target then
    break
  end
  pointers[#pointers + 1] = key
  if not tagEnd or string.sub(target, 1, tagEnd) ~= string.sub(key, 1, tagEnd) then
    key = nil
    break
  end
  key = target
end
for _, pointer in ipairs(pointers) do
  redis.call('DEL', pointer)
end
if not key or redis.call('HEXISTS', key, '>') == 1 then
  return {0, unpack(pointers)}
end
pointers[#pointers + 1] = key
return {redis.call('DEL', key), unpack(pointers)}
