import { lua } from './scripts.ts';

// The Lua scripts of the session store (session-store.ts).

/**
 * Compare-and-set on the cart version, in one atomic step: no other command
 * runs between the read and the write, so two writers starting from the same
 * version cannot both succeed.
 * KEYS[1] session key; ARGV[1] expected version, ARGV[2] new record JSON,
 * ARGV[3] idle TTL in ms. Returns 'ok' | 'conflict' | 'missing'.
 */
export const COMPARE_AND_SET = lua(`
local current = redis.call('GET', KEYS[1])
if not current then return 'missing' end
local ok, stored = pcall(cjson.decode, current)
if not ok or type(stored) ~= 'table' or type(stored.cart) ~= 'table' then
  return redis.error_reply('BADRECORD the value under this key is not a session record')
end
if stored.cart.version ~= tonumber(ARGV[1]) then return 'conflict' end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 'ok'
`);

/**
 * Slides the TTL and records lastSeenAt without a client-side read-modify-
 * write, which would race with a concurrent cart write and undo it. The value
 * is patched as text, not decoded and re-encoded: cjson turns an empty array
 * into {} and would corrupt the record. The patch is exact because records are
 * written with lastSeenAt before cart (see serialise in session-store.ts) and a
 * JSON string cannot contain an unescaped quote, so no user value can look
 * like the key.
 * KEYS[1] session key; ARGV[1] lastSeenAt (digits), ARGV[2] idle TTL in ms.
 * Returns the updated record JSON (so the per-request session check is one
 * round trip), or false when the session is gone.
 */
export const TOUCH_AND_GET = lua(`
local current = redis.call('GET', KEYS[1])
if not current then return false end
local updated = string.gsub(current, '"lastSeenAt":%-?[%d%.eE%+%-]+', '"lastSeenAt":' .. ARGV[1], 1)
redis.call('SET', KEYS[1], updated, 'PX', ARGV[2])
return updated
`);
