-- Put in front of load.lua: takes the session's lock first, so a locked request takes the lock
-- and loads the session, raising its fence, in one round trip (the redlock algorithm with one
-- instance: SET NX PX with a random value; the lock key is in the session's slot).
-- KEYS[2]: the lock key ("<session key>:lock")
-- ARGV[6]: the lock's random value
-- ARGV[7]: the lock's duration, ms
-- Returns {'locked', PTTL of the lock} when it is held by someone else (nothing else ran);
-- otherwise what load.lua returns, with the lock held (ARGV[4] is '1': the fence is raised).
-- A lock already holding this value is ours: the same attempt sent again (a Cluster slot that
-- moved mid-script) goes on instead of waiting for its own lock to expire.
if not redis.call('SET', KEYS[2], ARGV[6], 'NX', 'PX', ARGV[7])
    and redis.call('GET', KEYS[2]) ~= ARGV[6] then
  return {'locked', redis.call('PTTL', KEYS[2])}
end
