// INFO sections of the lab's redis-server (memory, commandstats), read
// through the one Redis probe connection (store/redis/probe.ts: fail-fast,
// bounded, closed after use), so a store that does not answer fails the
// reading within its bound instead of hanging a probe.
import type { RedisAuth } from '../../../store/redis/client.ts';
import { withRedisProbe } from '../../../store/redis/probe.ts';

/**
 * `INFO section` of the redis-server on 127.0.0.1:`port`, logged in as
 * `auth` (the lab's probe user). One connection per reading, closed after
 * it: the probes read a few times per run, and a reading must not leave a
 * client connected to the store it measures. Its connection handshake
 * (AUTH) is counted by INFO commandstats like any command; the store-ops
 * probe leaves it out, and subtracts an idle reading, which has one too.
 */
export function redisInfo(
  port: number,
  section: string,
  auth: RedisAuth,
  timeoutMs = 2000,
): Promise<string> {
  return withRedisProbe({ port, auth }, timeoutMs, (redis) => redis.info(section));
}

/** One `field:value` line of an INFO reply. */
export function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*?)\\r?$`, 'm').exec(info)?.[1];
}

/** `used_memory` of the redis-server at `redis://127.0.0.1:PORT` (its allocator's own count). */
export async function redisUsedMemory(address: string, auth: RedisAuth): Promise<number> {
  const info = await redisInfo(Number(new URL(address).port), 'memory', auth);
  return Number(infoField(info, 'used_memory'));
}
