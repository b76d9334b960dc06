import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { isReplyError, type RedisAuth } from './client.ts';

/** What a server on a port says: its PING reply and the pid it reports. */
export interface RedisProbe {
  /** `+PONG` when ready, `-LOADING ...` (the error reply) while an AOF is being replayed. */
  reply: string;
  /** `process_id` from INFO server; undefined if INFO was refused. */
  pid: number | undefined;
}

class ProbeDeadline extends Error {}

/** Where a probe looks and as whom; `auth` undefined: as nobody (no AUTH sent). */
export interface ProbeTarget {
  /** Default 127.0.0.1: the lab's servers listen on loopback. */
  host?: string;
  port: number;
  auth?: RedisAuth | undefined;
}

/**
 * One short look at a redis-server that may be starting, paused or dead (the
 * lab starts and kills it): one connection with no reconnect, no ready check
 * (a server replaying its AOF must still be asked), and `timeoutMs` on the
 * connect and on every command. The whole look is also bounded by twice
 * `timeoutMs`: a paused server accepts the TCP connection and then stalls
 * ioredis's connection handshake, which no command timeout covers. The
 * connection is always closed. With `auth` it logs in first (a wrong
 * password rejects with Redis's WRONGPASS reply error).
 */
export async function withRedisProbe<T>(
  target: ProbeTarget,
  timeoutMs: number,
  body: (redis: Redis) => Promise<T>,
): Promise<T> {
  const host = target.host ?? '127.0.0.1';
  const { port, auth } = target;
  const redis = new Redis({
    host,
    port,
    ...(auth && { username: auth.username, password: auth.password }),
    // RESP2: ioredis 6 opens RESP3 with HELLO, which a server refuses before
    // AUTH; a plain PING must reach a server that wants a password, to hear NOAUTH.
    protocol: 2,
    lazyConnect: true,
    enableReadyCheck: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: timeoutMs,
    commandTimeout: timeoutMs,
    disableClientInfo: true,
  });
  let lastError: Error | undefined;
  // Without a listener ioredis prints every connection error.
  redis.on('error', (error: Error) => {
    lastError = error;
  });
  const overall = new AbortController();
  const deadline = sleep(timeoutMs * 2, undefined, { signal: overall.signal }).then(() => {
    throw new ProbeDeadline(`no answer within ${timeoutMs * 2} ms`);
  });
  deadline.catch(() => {}); // raced below; an aborted timer is no failure
  try {
    return await Promise.race([redis.connect().then(() => body(redis)), deadline]);
  } catch (error) {
    if (isReplyError(error)) throw error;
    // The connection error (ECONNREFUSED) says more than ioredis's wrapped rejection.
    const why = error instanceof ProbeDeadline ? error : (lastError ?? (error as Error));
    const code = (why as NodeJS.ErrnoException).code;
    const reason = typeof code === 'string' ? code : why.message;
    throw new Error(`redis on ${host}:${port} did not answer: ${reason}`, { cause: error });
  } finally {
    overall.abort();
    redis.disconnect();
  }
}

/**
 * PING and INFO server: whether the server is ready, and which process it is
 * (the pid tells the lab's server apart from another one that took the port).
 * Logged in as `auth` (PING and INFO are all the user needs).
 */
export function probeRedis(
  port: number,
  auth: RedisAuth | undefined,
  timeoutMs = 1000,
): Promise<RedisProbe> {
  return withRedisProbe({ port, auth }, timeoutMs, async (redis) => {
    let reply: string;
    try {
      reply = `+${await redis.ping()}`;
    } catch (error) {
      if (!isReplyError(error)) throw error;
      reply = `-${(error as Error).message}`;
    }
    let info: string | undefined;
    try {
      info = await redis.info('server');
    } catch (error) {
      if (!isReplyError(error)) throw error;
    }
    const match = info === undefined ? null : /^process_id:(\d+)\r?$/m.exec(info);
    return { reply, pid: match ? Number(match[1]) : undefined };
  });
}

/** DBSIZE: the number of keys in the server's database 0, sessions among them. */
export function redisKeyCount(
  port: number,
  auth: RedisAuth | undefined,
  timeoutMs = 1000,
): Promise<number> {
  return withRedisProbe({ port, auth }, timeoutMs, (redis) => redis.dbsize());
}

/** INFO `section` (memory, commandstats, server, ...): the text Redis returns. */
export function redisInfo(
  port: number,
  section: string,
  auth: RedisAuth | undefined,
  timeoutMs = 2000,
): Promise<string> {
  return withRedisProbe({ port, auth }, timeoutMs, (redis) => redis.info(section));
}

/**
 * Whether the server at host:port serves a client that sends no password: a
 * PING without AUTH answered PONG. Redis refuses it with NOAUTH when the
 * default user is off or has a password; any other failure rejects.
 */
export async function answersWithoutPassword(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<boolean> {
  return withRedisProbe({ host, port }, timeoutMs, async (redis) => {
    try {
      return (await redis.ping()) === 'PONG';
    } catch (error) {
      if (isReplyError(error) && /^NOAUTH\b/.test((error as Error).message)) return false;
      throw error;
    }
  });
}
