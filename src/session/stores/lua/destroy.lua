-- Removes a session in one round trip; through a rotation's grace pointer (a hash holding only
-- '>'), the session it leads to goes too, so signing out with a just-replaced token still ends it.
-- KEYS[1]: the session hash ("prefix{tag}secretHash")
-- Returns {1 when a session was removed else 0, the keys deleted (KEYS[1], and where it led)}.
local key = KEYS[1]
local target = redis.call('HGET', key, '>')
if not target then
  return {redis.call('DEL', key), key}
end
redis.call('DEL', key)
local tagEnd = string.find(key, '}', 1, true)
if tagEnd and string.sub(target, 1, tagEnd) == string.sub(key, 1, tagEnd) then
  return {redis.call('DEL', target), key, target}
end
return {0, key}
