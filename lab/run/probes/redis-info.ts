// INFO sections of the lab's redis-server (memory, commandstats), read
// through the one Redis probe connection (store/redis/probe.ts: fail-fast,
// bounded, closed after use), so a store that does not answer fails the
// reading within its bound instead of hanging a probe.
import type { RedisAuth } from '../../../store/redis/client.ts';
import { redisInfo } from '../../../store/redis/probe.ts';

/**
 * `INFO section` of the redis-server on 127.0.0.1:`port`, logged in as the
 * lab's probe user: the store's own probe reading (one connection per
 * reading, closed after it, so a reading leaves no client connected to the
 * store it measures). Its handshake (AUTH) is counted by INFO commandstats
 * like any command; the store-ops probe leaves it out, and subtracts an idle
 * reading, which has one too.
 */
export { redisInfo };

/** One `field:value` line of an INFO reply. */
export function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*?)\\r?$`, 'm').exec(info)?.[1];
}

/** `used_memory` of the redis-server at `redis://127.0.0.1:PORT` (its allocator's own count). */
export async function redisUsedMemory(address: string, auth: RedisAuth): Promise<number> {
  const info = await redisInfo(Number(new URL(address).port), 'memory', auth);
  return Number(infoField(info, 'used_memory'));
}
