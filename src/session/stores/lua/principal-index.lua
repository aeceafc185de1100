-- Updates a principal's session index in one atomic step and returns what is left: prunes the
-- members whose deadline passed, removes the given members, adds one, and keeps the key alive
-- exactly as long as its latest member (so an abandoned index disappears by itself).
-- KEYS[1]: the index, a sorted set "prefix user:{principalId}" of handles scored by deadline
-- ARGV[1]: now, epoch ms: members scored at or before it are pruned
-- ARGV[2]: number N of handles to remove
-- ARGV[3 .. 2+N]: the handles to remove
-- ARGV[3+N], ARGV[4+N]: a handle to add and its deadline (ms), or absent
-- Returns {removed, handle1, deadline1, handle2, deadline2, ...}, earliest deadline first
local index = KEYS[1]
redis.call('ZREMRANGEBYSCORE', index, '-inf', ARGV[1])
local removeCount = tonumber(ARGV[2])
local removed = 0
for i = 3, 2 + removeCount do
  removed = removed + redis.call('ZREM', index, ARGV[i])
end
if ARGV[3 + removeCount] then
  redis.call('ZADD', index, ARGV[4 + removeCount], ARGV[3 + removeCount])
end
local members = redis.call('ZRANGE', index, 0, -1, 'WITHSCORES')
if #members > 0 then
  redis.call('PEXPIREAT', index, members[#members])
end
table.insert(members, 1, removed)
return members
