-- Raises the lowest sequence (sealed version) a cookie session may still be opened with, once:
-- the first request that changes a monotonic key wins, a racing one from the same cookie loses.
-- KEYS[1]: the deny-list entry of the session id ("prefix" .. "deny:" .. id)
-- ARGV[1]: the new minimum sequence (the version of the cookie about to be sent)
-- ARGV[2]: when the entry may go (the session's absolute deadline), epoch ms
-- Returns 1 (raised) | 0 (a request already raised it this far: refuse) | -1 (the id was ended)
-- An entry is 'v<n>' for a minimum sequence n; any other value means the id was ended.
local current = redis.call('GET', KEYS[1])
if current then
  if string.sub(current, 1, 1) ~= 'v' then
    return -1
  end
  if tonumber(string.sub(current, 2)) >= tonumber(ARGV[1]) then
    return 0
  end
end
redis.call('SET', KEYS[1], 'v' .. ARGV[1], 'PXAT', ARGV[2])
return 1
