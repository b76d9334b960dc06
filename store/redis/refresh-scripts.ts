import { lua, type LuaScript } from './scripts.ts';

/**
 * The Lua scripts of the refresh-token store. Each runs atomically in Redis,
 * so no other client's command lands between its read and its writes: that
 * is what makes "rotate once" hold under concurrent refreshes. Each script
 * counts the Redis commands it runs and returns the count, so the lab can
 * report store operations per refresh (claim C12) from real figures.
 *
 * Data (prefix P, default `sl:rt:`):
 * - P t:<sha256 of token>  hash {f: family, s: live|used, e: expiry ms}
 * - P f:<family>           hash {u: user, c: created ms, r: 0|1 revoked}
 * - P live                 zset family → expiry ms of its newest token
 * Only hashes of tokens are stored; the token itself never reaches Redis.
 * The store (refresh-token-store.ts) runs them with runScript (scripts.ts).
 */

// Shared prologue: `call` is redis.call that counts.
const COUNTING = `
local calls = 0
local function call(...)
  calls = calls + 1
  return redis.call(...)
end
`;

function counting(body: string): LuaScript {
  return lua(COUNTING + body);
}

/**
 * A new family and its first token (login).
 * KEYS: token key, family key, live zset. ARGV: family id, user, now ms, ttl ms.
 * Also drops expired families from the live zset, so it stays the size of
 * the live population. Returns {calls}.
 */
export const ISSUE_FAMILY = counting(`
local expires = tonumber(ARGV[3]) + tonumber(ARGV[4])
call('HSET', KEYS[2], 'u', ARGV[2], 'c', ARGV[3], 'r', '0')
call('PEXPIRE', KEYS[2], ARGV[4])
call('HSET', KEYS[1], 'f', ARGV[1], 's', 'live', 'e', expires)
call('PEXPIRE', KEYS[1], ARGV[4])
call('ZADD', KEYS[3], expires, ARGV[1])
call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. ARGV[3])
return {calls}
`);

/**
 * Rotation: the presented token becomes `used` and a new live token joins its
 * family. A token already used means two holders have it (one is a thief):
 * the whole family is revoked, so the newest token stops working too.
 * KEYS: presented token key, new token key, live zset.
 * ARGV: family key prefix, now ms, ttl ms.
 * The family key is built here from the stored family id (never from client
 * input); fine on the lab's single Redis, not on a Redis Cluster.
 * Returns {outcome, calls, family?, user?, createdAt?} with outcome
 * unknown | revoked | reused | expired | rotated.
 */
export const ROTATE = counting(`
local token = call('HMGET', KEYS[1], 'f', 's', 'e')
local fam = token[1]
if not fam then return {'unknown', calls} end
local famKey = ARGV[1] .. fam
local family = call('HMGET', famKey, 'u', 'c', 'r')
if not family[1] then return {'unknown', calls} end
if family[3] == '1' then return {'revoked', calls, fam, family[1]} end
if token[2] ~= 'live' then
  call('HSET', famKey, 'r', '1')
  call('ZREM', KEYS[3], fam)
  return {'reused', calls, fam, family[1]}
end
local now = tonumber(ARGV[2])
if tonumber(token[3]) <= now then return {'expired', calls, fam, family[1]} end
-- The absolute session lifetime: a family older than ARGV[4] ms (0: none)
-- rotates no more, so a refresh chain cannot run forever.
local maxAge = tonumber(ARGV[4])
if maxAge > 0 and now - tonumber(family[2]) >= maxAge then return {'expired', calls, fam, family[1]} end
local expires = now + tonumber(ARGV[3])
call('HSET', KEYS[1], 's', 'used')
call('HSET', KEYS[2], 'f', fam, 's', 'live', 'e', expires)
call('PEXPIRE', KEYS[2], ARGV[3])
call('PEXPIRE', famKey, ARGV[3])
call('ZADD', KEYS[3], expires, fam)
return {'rotated', calls, fam, family[1], family[2]}
`);

/**
 * Revokes a family (logout). Its key stays until it expires, so any of its
 * tokens presented later is recognised as revoked.
 * KEYS: family key, live zset. ARGV: family id.
 * Returns {1 if it was live, calls}.
 */
export const REVOKE_FAMILY = counting(`
local revoked = call('HGET', KEYS[1], 'r')
if revoked ~= '0' then return {0, calls} end
call('HSET', KEYS[1], 'r', '1')
call('ZREM', KEYS[2], ARGV[1])
return {1, calls}
`);
