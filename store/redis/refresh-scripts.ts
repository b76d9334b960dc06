import { lua, type LuaScript } from './scripts.ts';

/**
 * The Lua scripts of the refresh-token store. Each runs atomically in Redis,
 * so no other client's command lands between its read and its writes: that
 * is what makes "rotate once" hold under concurrent refreshes. Each script
 * counts the Redis commands it runs and returns the count, so the lab can
 * report store operations per refresh (claim C12) from real figures.
 *
 * Data (prefix P, default `sl:rt:`):
 * - P t:<sha256 of token>  hash {f: family, s: live|used, e: expiry ms,
 *                            and once rotated with a grace window: ra, n, x (see ROTATE)}
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
 *
 * The reuse grace window (ARGV[5] ms, 0 = strict): a client whose answer was
 * lost (node killed mid-refresh, a 5xx, a cut connection) retries with the
 * token it still holds. When that token is the immediately preceding one
 * (its successor is still the family's live, unexpired token) and it was
 * rotated less than the window ago, the answer is `grace` with the salt the
 * successor was derived from (refresh-token-store.ts): the node hands out
 * the SAME successor again, so retries, even concurrent ones, never fork the
 * family into two live chains. A token older than that, or a reuse after
 * the window, still revokes the family.
 * With a window, a rotated token keeps: ra (rotated at, ms), n (the salt),
 * x (the successor's key, a hash of it: no token).
 *
 * KEYS: presented token key, new token key, live zset.
 * ARGV: family key prefix, now ms, ttl ms, max family age ms (0: none),
 * grace window ms (0: strict), salt of the new token (used with a window).
 * The family and successor keys are built here from stored data (never from
 * client input); fine on the lab's single Redis, not on a Redis Cluster.
 * Returns {outcome, calls, family?, user?, createdAt?, salt?, successorKey?}
 * with outcome unknown | revoked | reused | expired | rotated | grace.
 */
export const ROTATE = counting(`
local token = call('HMGET', KEYS[1], 'f', 's', 'e', 'ra', 'n', 'x')
local fam = token[1]
if not fam then return {'unknown', calls} end
local famKey = ARGV[1] .. fam
local family = call('HMGET', famKey, 'u', 'c', 'r')
if not family[1] then return {'unknown', calls} end
if family[3] == '1' then return {'revoked', calls, fam, family[1]} end
local now = tonumber(ARGV[2])
-- The absolute session lifetime: a family older than ARGV[4] ms (0: none)
-- rotates no more, so a refresh chain cannot run forever.
local maxAge = tonumber(ARGV[4])
local tooOld = maxAge > 0 and now - tonumber(family[2]) >= maxAge
local grace = tonumber(ARGV[5])
if token[2] ~= 'live' then
  if grace > 0 and token[4] and token[6] and now - tonumber(token[4]) < grace then
    local successor = call('HMGET', token[6], 's', 'e')
    if successor[1] == 'live' and tonumber(successor[2]) > now then
      if tooOld then return {'expired', calls, fam, family[1]} end
      return {'grace', calls, fam, family[1], family[2], token[5], token[6]}
    end
  end
  call('HSET', famKey, 'r', '1')
  call('ZREM', KEYS[3], fam)
  return {'reused', calls, fam, family[1]}
end
if tonumber(token[3]) <= now or tooOld then return {'expired', calls, fam, family[1]} end
local expires = now + tonumber(ARGV[3])
if grace > 0 then
  call('HSET', KEYS[1], 's', 'used', 'ra', ARGV[2], 'n', ARGV[6], 'x', KEYS[2])
else
  call('HSET', KEYS[1], 's', 'used')
end
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

/**
 * Revokes the family of a presented refresh token (logout without a live
 * access token). Any token of the family, live or already rotated, proves
 * the caller held it: a rotated one could revoke the family through reuse
 * detection anyway, so this grants nothing new.
 * KEYS: token key, live zset. ARGV: family key prefix.
 * Returns {outcome, calls, family?} with outcome unknown | revoked (it was
 * live) | already (revoked before).
 */
export const REVOKE_BY_TOKEN = counting(`
local fam = call('HGET', KEYS[1], 'f')
if not fam then return {'unknown', calls} end
local famKey = ARGV[1] .. fam
local revoked = call('HGET', famKey, 'r')
if not revoked then return {'unknown', calls} end
if revoked ~= '0' then return {'already', calls, fam} end
call('HSET', famKey, 'r', '1')
call('ZREM', KEYS[2], fam)
return {'revoked', calls, fam}
`);
