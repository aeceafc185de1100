-- Checks of commit.lua, prepended to it by redis-scripts.ts (one script, one round trip): the
-- data size a change leaves, and the data fields written without the lock while a lock was held.
-- A change names its fields in ARGV[first .. last]: pairs up to setLast, then fields to delete.

local function isDataField(field)
  return string.sub(field, 1, 1) == '.'
end

-- The data fields a change sets or deletes, in order.
local function changedDataFields(first, setLast, last)
  local fields = {}
  for i = first, last do
    if (i > setLast or (i - first) % 2 == 0) and isDataField(ARGV[i]) then
      fields[#fields + 1] = ARGV[i]
    end
  end
  return fields
end

-- Data bytes of a session: each data field's name (without the '.') and value. Kept in field
-- 'z' by every commit; measured once for a session stored before that field existed.
local function storedDataBytes(key)
  local kept = redis.call('HGET', key, 'z')
  if kept then
    return tonumber(kept)
  end
  local bytes = 0
  for _, field in ipairs(redis.call('HKEYS', key)) do
    if isDataField(field) then
      bytes = bytes + #field - 1 + redis.call('HSTRLEN', key, field)
    end
  end
  return bytes
end

-- Data bytes before and after a change; `empty` when the change starts from no data (a new
-- session, or one whose data is cleared).
local function dataBytesAround(key, fresh, empty, first, setLast, last)
  local before = fresh and 0 or storedDataBytes(key)
  local after = empty and 0 or before
  for _, field in ipairs(changedDataFields(first, setLast, last)) do
    local old = empty and 0 or redis.call('HSTRLEN', key, field)
    if old > 0 then
      after = after - (#field - 1 + old)
    end
  end
  for i = first, setLast, 2 do
    if isDataField(ARGV[i]) then
      after = after + #ARGV[i] - 1 + #ARGV[i + 1]
    end
  end
  return before, after
end

-- Field 'w' is opened by a lock holder's reload (load.lua) with its fence, then holds one data
-- field per line: what commits without the lock wrote since ('*' for all data). Each field is
-- noted once, so it stays as small as the session's key list; the holder's commit removes it.
-- Returns the new value of 'w', or nil when no holder has it open.
local function notedWith(key, clearsData, first, setLast, last)
  local noted = redis.call('HGET', key, 'w')
  if not noted then
    return nil
  end
  local added = clearsData and { '*' } or {}
  for _, field in ipairs(changedDataFields(first, setLast, last)) do
    added[#added + 1] = field
  end
  for _, field in ipairs(added) do
    if not string.find(noted, '\n' .. field .. '\n', 1, true) then
      noted = noted .. field .. '\n'
    end
  end
  return noted
end

-- Whether the holder of `fence` would overwrite a field noted since its reload.
local function overwritesNoted(key, fence, first, setLast, last)
  local noted = redis.call('HGET', key, 'w')
  local tag = fence .. '\n'
  if not noted or string.sub(noted, 1, #tag) ~= tag then
    return false
  end
  noted = string.sub(noted, #tag)
  if string.find(noted, '\n*\n', 1, true) then
    return true
  end
  for _, field in ipairs(changedDataFields(first, setLast, last)) do
    if string.find(noted, '\n' .. field .. '\n', 1, true) then
      return true
    end
  end
  return false
end
