-- Updates a principal's session index in one atomic step: prunes the members whose deadline
-- passed, removes the given members, adds one (deciding the cap in the same step), and keeps the
-- key alive exactly as long as its latest member (so an abandoned index disappears by itself).
-- Members of the same {tag} as the one added are that very session (an earlier key of it): they
-- never count against the cap and are never evicted.
-- KEYS[1]: the index, a sorted set "prefix user:{principalId}" of handles scored by deadline
-- ARGV[1]: now, epoch ms: members scored at or before it are pruned
-- ARGV[2]: number N of handles to remove
-- ARGV[3 .. 2+N]: the handles to remove
-- ARGV[3+N], ARGV[4+N]: a handle ('tag.secretHash') to add and its deadline (ms), or '' ''
-- ARGV[5+N]: the cap on sessions of the principal for the add, or ''
-- ARGV[6+N]: at the cap, 'refuse' (the add is not made) or 'evict' (the oldest others are named)
-- ARGV[7+N]: '1' to return every member, '0' for the count only
-- Returns {removed, refused 0|1, count, E, evicted handle/deadline pairs (E of them, oldest
-- first; still members: the caller removes them once their sessions are destroyed), then with
-- ARGV[7+N] = '1' every member as handle/deadline pairs, earliest deadline first}
local index = KEYS[1]
redis.call('ZREMRANGEBYSCORE', index, '-inf', ARGV[1])
local removeCount = tonumber(ARGV[2])
local removed = 0
for i = 3, 2 + removeCount do
  removed = removed + redis.call('ZREM', index, ARGV[i])
end
local addHandle = ARGV[3 + removeCount] or ''
local addDeadline = ARGV[4 + removeCount]
local cap = tonumber(ARGV[5 + removeCount] or '')
local policy = ARGV[6 + removeCount]
local listAll = ARGV[7 + removeCount] ~= '0'
local refused = 0
local evicted = {}
-- The other sessions, oldest first (only read near the cap, so a sign-in is O(log N) below it).
local function others(tagPrefix)
  local result = {}
  local members = redis.call('ZRANGE', index, 0, -1, 'WITHSCORES')
  for i = 1, #members, 2 do
    if string.sub(members[i], 1, #tagPrefix) ~= tagPrefix then
      result[#result + 1] = {members[i], members[i + 1]}
    end
  end
  return result
end
if addHandle ~= '' then
  local tagPrefix = string.match(addHandle, '^[^.]*%.') or addHandle
  if cap and policy == 'refuse' and redis.call('ZCARD', index) >= cap then
    if #others(tagPrefix) >= cap then
      refused = 1
    end
  end
  if refused == 0 then
    redis.call('ZADD', index, addDeadline, addHandle)
    if cap and policy ~= 'refuse' and redis.call('ZCARD', index) > cap then
      local rest = others(tagPrefix)
      for i = 1, #rest + 1 - cap do
        evicted[#evicted + 1] = rest[i][1]
        evicted[#evicted + 1] = rest[i][2]
      end
    end
  end
end
local latest = redis.call('ZRANGE', index, -1, -1, 'WITHSCORES')
if #latest > 0 then
  redis.call('PEXPIREAT', index, latest[2])
end
local reply = {removed, refused, redis.call('ZCARD', index), #evicted / 2}
for _, value in ipairs(evicted) do
  reply[#reply + 1] = value
end
if listAll then
  for _, value in ipairs(redis.call('ZRANGE', index, 0, -1, 'WITHSCORES')) do
    reply[#reply + 1] = value
  end
end
return reply
