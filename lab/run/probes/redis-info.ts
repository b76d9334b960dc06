// INFO sections of the lab's redis-server (memory, commandstats), read with
// ioredis on a short-lived connection: a store that does not answer fails
// the reading within `timeoutMs` instead of hanging a probe.
import { Redis } from 'ioredis';

/**
 * `INFO section` of the redis-server on 127.0.0.1:`port`. One connection per
 * reading, closed after it: the probes read a few times per run, and a
 * reading must not leave a client connected to the store it measures.
 */
export async function redisInfo(port: number, section: string, timeoutMs = 2000): Promise<string> {
  const client = new Redis({
    host: '127.0.0.1',
    port,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    // A server that never reads (paused) never acknowledges a graceful close either: give up as fast.
    disconnectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    // Fail fast: no queue while disconnected, no retried command, no reconnect.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    // The connection sends INFO and nothing else, as redis-cli would: no ready
    // check (an INFO of its own, not bound by commandTimeout), no HELLO and no
    // CLIENT SETINFO handshake, which INFO commandstats would count as the
    // store's work between two readings.
    enableReadyCheck: false,
    protocol: 2,
    disableClientInfo: true,
    retryStrategy: () => null,
  });
  // A connection error also rejects connect() or the command below, where it
  // is thrown to the caller; without a listener ioredis would print it too.
  client.on('error', () => {});
  try {
    await client.connect();
    return await client.info(section);
  } finally {
    client.disconnect();
  }
}

/** One `field:value` line of an INFO reply. */
export function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*?)\\r?$`, 'm').exec(info)?.[1];
}

/** `used_memory` of the redis-server at `redis://127.0.0.1:PORT` (its allocator's own count). */
export async function redisUsedMemory(address: string): Promise<number> {
  const info = await redisInfo(Number(new URL(address).port), 'memory');
  return Number(infoField(info, 'used_memory'));
}
