import { once } from 'node:events';
import { Redis, ReplyError } from 'ioredis';
import {
  SessionExistsError,
  StoreError,
  StoreOptionError,
  StoreUnavailableError,
} from './errors.ts';
import { COMPARE_AND_SET, runScript, TOUCH_AND_GET } from './redis/scripts.ts';
import type { SessionRecord, SessionStore, SetResult } from './session-store.ts';

/**
 * How `set` treats concurrent writers. `cas`: atomic compare-and-set on the
 * cart version (a Lua script), so no update is lost. `lww`: blind overwrite,
 * last write wins, as common Node session stores (connect-redis) do; the lab
 * uses it to show the updates that approach loses.
 */
export type RedisWriteMode = 'cas' | 'lww';

/** Options of {@link RedisSessionStore}; checked in the constructor. */
export interface RedisSessionStoreOptions {
  /** `redis://[user:password@]host:port[/db]`. */
  url: string;
  /** A session idle longer than this is gone (the key's TTL; `create`, `set` and `touch` restart it). */
  idleTtlMs: number;
  /** Prefix of every session key. Default `sl:sess:`. */
  keyPrefix?: string;
  /** Default `cas`. */
  mode?: RedisWriteMode;
  /** A command without a reply after this long fails as unavailable. Default 500 ms. */
  commandTimeoutMs?: number;
  /** A TCP connect that takes longer fails and is retried. Default 1000 ms. */
  connectTimeoutMs?: number;
}

export const DEFAULT_KEY_PREFIX = 'sl:sess:';
export const DEFAULT_COMMAND_TIMEOUT_MS = 500;
export const DEFAULT_CONNECT_TIMEOUT_MS = 1000;
/** Keys asked for per SCAN step of `count`: small enough that no step blocks Redis. */
const SCAN_COUNT = 1000;
/** Reply errors that mean "not now" rather than "wrong": the store is unavailable. */
const TRANSIENT_REPLIES = [
  'LOADING',
  'BUSY',
  'MASTERDOWN',
  'TRYAGAIN',
  'READONLY',
  'MISCONF',
  'OOM',
];

/**
 * Sessions in Redis: one key per session holding the record as JSON, with a
 * sliding TTL (PX on every write, the touch script on use).
 *
 * Fail fast, on purpose. A node must answer 503 quickly when Redis is away,
 * never pile requests up behind it, and recover by itself when it returns:
 * - `enableOfflineQueue: false`: a command issued while disconnected fails at
 *   once instead of waiting in an unbounded queue for a reconnect.
 * - `maxRetriesPerRequest: 0` and `autoResendUnfulfilledCommands: false`: a
 *   command in flight when the connection drops fails; it is never replayed,
 *   since a replayed write may already have been applied.
 * - `commandTimeout`: a server that accepts but does not answer (paused,
 *   overloaded) costs a request at most this long.
 * - `socketTimeout` (4 × the command timeout): a connection with commands
 *   pending and no byte back for that long is dropped and re-dialled, so a
 *   half-open connection (network cut) does not outlive the cut.
 * - `connectTimeout`, and a `retryStrategy` of min(attempts × 100, 1000) ms
 *   that never gives up: recovery after an outage is automatic and at most a
 *   second late.
 * - `lazyConnect`: the constructor does not connect; the entry point calls
 *   `connect()`.
 * Every connection or timeout failure becomes a StoreUnavailableError with the
 * cause; the 'error' event always has a listener (otherwise ioredis prints it)
 * and the last error is kept so a rejection can say why Redis is unreachable.
 * A StoreUnavailableError does not say the write was not applied: the reply
 * may be what was lost.
 */
export class RedisSessionStore implements SessionStore {
  readonly #redis: Redis;
  readonly #address: string;
  readonly #idleTtlMs: number;
  readonly #keyPrefix: string;
  readonly #mode: RedisWriteMode;
  readonly #commandTimeoutMs: number;
  #lastError: Error | undefined;
  #closed = false;

  constructor(options: RedisSessionStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new StoreOptionError(
        'RedisSessionStore: pass an options object with url and idleTtlMs',
      );
    }
    const url = checkUrl(options.url);
    this.#address = `${url.hostname}:${url.port || '6379'}`;
    this.#idleTtlMs = checkInteger('idleTtlMs', options.idleTtlMs, 1);
    const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    if (typeof keyPrefix !== 'string' || keyPrefix === '') {
      throw new StoreOptionError('RedisSessionStore: keyPrefix must be a non-empty string');
    }
    this.#keyPrefix = keyPrefix;
    const mode = options.mode ?? 'cas';
    if (mode !== 'cas' && mode !== 'lww') {
      throw new StoreOptionError(
        `RedisSessionStore: mode must be 'cas' or 'lww', got ${String(mode)}`,
      );
    }
    this.#mode = mode;
    this.#commandTimeoutMs = checkInteger(
      'commandTimeoutMs',
      options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
      1,
      60000,
    );
    const connectTimeoutMs = checkInteger(
      'connectTimeoutMs',
      options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      1,
      60000,
    );
    this.#redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      commandTimeout: this.#commandTimeoutMs,
      socketTimeout: this.#commandTimeoutMs * 4,
      connectTimeout: connectTimeoutMs,
      retryStrategy: (attempts) => Math.min(attempts * 100, 1000),
      // CLIENT SETINFO needs Redis 7.2; skip two refused commands per connect.
      disableClientInfo: true,
    });
    this.#redis.on('error', (error: Error) => {
      this.#lastError = error;
    });
    this.#redis.on('ready', () => {
      this.#lastError = undefined;
    });
  }

  /** Which `set` semantics this store has. */
  get mode(): RedisWriteMode {
    return this.#mode;
  }

  /**
   * Opens the connection; rejects with a StoreUnavailableError when the first
   * attempt fails. Either way the client keeps reconnecting in the
   * background, so a caller may start anyway and serve 503 until Redis is up.
   * Does nothing when already connecting or connected.
   */
  async connect(): Promise<void> {
    this.#assertOpen();
    if (this.#redis.status !== 'wait') return;
    try {
      await this.#redis.connect();
    } catch (error) {
      throw this.#translate(error, 'connect');
    }
  }

  get(id: string): Promise<SessionRecord | undefined> {
    return this.#run('GET', async (redis) => {
      const json = await redis.get(this.#key(id));
      return json === null ? undefined : this.#parse(json);
    });
  }

  create(record: SessionRecord): Promise<void> {
    return this.#run('SET NX', async (redis) => {
      const result = await redis.set(
        this.#key(record.id),
        serialise(record),
        'PX',
        this.#idleTtlMs,
        'NX',
      );
      if (result === null) throw new SessionExistsError(record.id);
    });
  }

  set(record: SessionRecord, expectedVersion: number): Promise<SetResult> {
    const key = this.#key(record.id);
    if (this.#mode === 'lww') {
      return this.#run('SET XX', async (redis) => {
        const result = await redis.set(key, serialise(record), 'PX', this.#idleTtlMs, 'XX');
        return result === null ? 'missing' : 'ok';
      });
    }
    return this.#run('compare-and-set', async (redis) => {
      const args = [expectedVersion, serialise(record), this.#idleTtlMs];
      const result = await runScript(redis, COMPARE_AND_SET, key, args);
      if (result === 'ok' || result === 'conflict' || result === 'missing') return result;
      throw new StoreError('STORE_REDIS_ERROR', `compare-and-set answered ${String(result)}`);
    });
  }

  destroy(id: string): Promise<boolean> {
    return this.#run('DEL', async (redis) => (await redis.del(this.#key(id))) === 1);
  }

  getAndTouch(id: string, now: number): Promise<SessionRecord | undefined> {
    if (!Number.isSafeInteger(now)) {
      return Promise.reject(new TypeError(`getAndTouch: now must be epoch ms, got ${String(now)}`));
    }
    return this.#run('touch+get', async (redis) => {
      const json = await runScript(redis, TOUCH_AND_GET, this.#key(id), [now, this.#idleTtlMs]);
      return typeof json === 'string' ? this.#parse(json) : undefined;
    });
  }

  touch(id: string, now: number): Promise<boolean> {
    if (!Number.isSafeInteger(now)) {
      return Promise.reject(new TypeError(`touch: now must be epoch ms, got ${String(now)}`));
    }
    return this.#run('touch', async (redis) => {
      const json = await runScript(redis, TOUCH_AND_GET, this.#key(id), [now, this.#idleTtlMs]);
      return typeof json === 'string';
    });
  }

  /**
   * Counts session keys with SCAN steps of bounded size, so Redis never
   * blocks; the whole count is O(keys in the database) and meant for metrics
   * and `lab status`, not for the request path.
   */
  count(): Promise<number> {
    return this.#run('SCAN', async (redis) => {
      const pattern = `${escapeGlob(this.#keyPrefix)}*`;
      let cursor = '0';
      let total = 0;
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        cursor = next;
        total += keys.length;
      } while (cursor !== '0');
      return total;
    });
  }

  ping(): Promise<void> {
    return this.#run('PING', async (redis) => {
      await redis.ping();
    });
  }

  /** Quits gracefully when connected, drops the connection otherwise; never waits on a dead Redis. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const redis = this.#redis;
    if (redis.status !== 'ready') {
      redis.disconnect();
      return;
    }
    try {
      const ended = once(redis, 'end', { signal: AbortSignal.timeout(this.#commandTimeoutMs) });
      ended.catch(() => {}); // awaited below unless quit fails first
      await redis.quit(); // bounded by the command timeout
      await ended;
    } catch {
      redis.disconnect();
    }
  }

  #key(id: string): string {
    return this.#keyPrefix + id;
  }

  #assertOpen(): void {
    if (this.#closed) throw new StoreUnavailableError('redis session store is closed');
  }

  // Every operation goes through here: a closed store fails like an
  // unreachable one, and every Redis failure gets its store error.
  async #run<T>(operation: string, body: (redis: Redis) => Promise<T>): Promise<T> {
    this.#assertOpen();
    try {
      return await body(this.#redis);
    } catch (error) {
      throw this.#translate(error, operation);
    }
  }

  #translate(error: unknown, operation: string): Error {
    if (error instanceof StoreError) return error;
    const cause = error instanceof Error ? error : new Error(String(error));
    if (isReplyError(cause)) {
      const code = cause.message.split(' ', 1)[0] ?? '';
      if (!TRANSIENT_REPLIES.includes(code)) {
        return new StoreError(
          'STORE_REDIS_ERROR',
          `redis at ${this.#address} refused ${operation}: ${cause.message}`,
          { cause },
        );
      }
      return new StoreUnavailableError(
        `redis at ${this.#address} cannot serve ${operation} now: ${cause.message}`,
        {
          cause,
        },
      );
    }
    if (this.#redis.status !== 'ready') {
      const why = describe(this.#lastError) ?? `not connected (${this.#redis.status})`;
      return new StoreUnavailableError(`redis at ${this.#address} unreachable: ${why}`, { cause });
    }
    if (cause.message === 'Command timed out') {
      return new StoreUnavailableError(
        `redis at ${this.#address} did not answer ${operation} within ${this.#commandTimeoutMs} ms`,
        { cause },
      );
    }
    return new StoreUnavailableError(
      `redis at ${this.#address} failed ${operation}: ${cause.message}`,
      { cause },
    );
  }

  #parse(json: string): SessionRecord {
    try {
      const record = JSON.parse(json) as SessionRecord;
      if (typeof record?.id === 'string' && typeof record.cart?.version === 'number') return record;
    } catch {
      // reported below
    }
    throw new StoreError(
      'STORE_REDIS_ERROR',
      `a value under ${this.#keyPrefix} at ${this.#address} is not a session record`,
    );
  }
}

// A fixed field order: the touch script relies on lastSeenAt preceding cart.
function serialise(record: SessionRecord): string {
  const { id, user, createdAt, lastSeenAt, cart } = record;
  return JSON.stringify({ id, user, createdAt, lastSeenAt, cart });
}

function isReplyError(error: Error): boolean {
  return error instanceof (ReplyError as new () => Error);
}

// The errno code (ECONNREFUSED) says more than ioredis's wrapped message.
function describe(error: Error | undefined): string | undefined {
  if (!error) return undefined;
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : error.message;
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

function checkUrl(value: unknown): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname) {
    // Credentials in the url stay out of the message.
    const shown = typeof value === 'string' ? value.replace(/\/\/[^@/]*@/, '//***@') : typeof value;
    throw new StoreOptionError(
      `RedisSessionStore: url must look like redis://host:port, got ${shown}`,
    );
  }
  return url;
}

function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StoreOptionError(
      `RedisSessionStore: ${name} must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return value;
}
