import type { Redis } from 'ioredis';
import { SessionExistsError, StoreError, StoreOptionError } from '../errors.ts';
import type { SessionRecord, SessionStore, SetResult } from '../session-store.ts';
import { checkInteger, RedisConnection, type RedisConnectionOptions } from './client.ts';
import { runScript } from './scripts.ts';
import { COMPARE_AND_SET, TOUCH_AND_GET } from './session-scripts.ts';

/**
 * How `set` treats concurrent writers. `cas`: atomic compare-and-set on the
 * cart version (a Lua script), so no update is lost. `lww`: blind overwrite,
 * last write wins, as common Node session stores (connect-redis) do; the lab
 * uses it to show the updates that approach loses.
 */
export type RedisWriteMode = 'cas' | 'lww';

/** Options of {@link RedisSessionStore}; checked in the constructor. */
export interface RedisSessionStoreOptions extends RedisConnectionOptions {
  /** `redis://[user:password@]host:port[/db]`. */
  url: string;
  /** A session idle longer than this is gone (the key's TTL; `create`, `set` and `touch` restart it). */
  idleTtlMs: number;
  /** Prefix of every session key. Default `sl:sess:`. */
  keyPrefix?: string;
  /** Default `cas`. */
  mode?: RedisWriteMode;
}

export const DEFAULT_KEY_PREFIX = 'sl:sess:';
const OWNER = 'RedisSessionStore';
/** Keys asked for per SCAN step of `count`: small enough that no step blocks Redis. */
const SCAN_COUNT = 1000;

/**
 * Sessions in Redis: one key per session holding the record as JSON, with a
 * sliding TTL (PX on every write, the touch script on use).
 *
 * Fails fast (a dead Redis costs a request at most the command timeout) and
 * recovers by itself: see createFailFastClient in client.ts. Every failure
 * is a store error (RedisConnection); a StoreUnavailableError does not say
 * the write was not applied: the reply may be what was lost.
 */
export class RedisSessionStore implements SessionStore {
  readonly #connection: RedisConnection;
  readonly #idleTtlMs: number;
  readonly #keyPrefix: string;
  readonly #mode: RedisWriteMode;

  constructor(options: RedisSessionStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new StoreOptionError(`${OWNER}: pass an options object with url and idleTtlMs`);
    }
    this.#idleTtlMs = checkInteger(OWNER, 'idleTtlMs', options.idleTtlMs, 1);
    const keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    if (typeof keyPrefix !== 'string' || keyPrefix === '') {
      throw new StoreOptionError(`${OWNER}: keyPrefix must be a non-empty string`);
    }
    this.#keyPrefix = keyPrefix;
    const mode = options.mode ?? 'cas';
    if (mode !== 'cas' && mode !== 'lww') {
      throw new StoreOptionError(`${OWNER}: mode must be 'cas' or 'lww', got ${String(mode)}`);
    }
    this.#mode = mode;
    // Last: the client is built only from options known to be good.
    this.#connection = new RedisConnection(OWNER, options.url, options);
  }

  /** Which `set` semantics this store has. */
  get mode(): RedisWriteMode {
    return this.#mode;
  }

  /** Opens the connection; see RedisConnection.connect. */
  connect(): Promise<void> {
    return this.#connection.connect();
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
      const { reply: result } = await runScript(redis, COMPARE_AND_SET, [key], args);
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
      const { reply: json } = await this.#touchAndGet(redis, id, now);
      return typeof json === 'string' ? this.#parse(json) : undefined;
    });
  }

  touch(id: string, now: number): Promise<boolean> {
    if (!Number.isSafeInteger(now)) {
      return Promise.reject(new TypeError(`touch: now must be epoch ms, got ${String(now)}`));
    }
    return this.#run('touch', async (redis) => {
      const { reply: json } = await this.#touchAndGet(redis, id, now);
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
  close(): Promise<void> {
    return this.#connection.close();
  }

  #key(id: string): string {
    return this.#keyPrefix + id;
  }

  #run<T>(operation: string, body: (redis: Redis) => Promise<T>): Promise<T> {
    return this.#connection.run(operation, body);
  }

  #touchAndGet(redis: Redis, id: string, now: number) {
    return runScript(redis, TOUCH_AND_GET, [this.#key(id)], [now, this.#idleTtlMs]);
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
      `a value under ${this.#keyPrefix} at ${this.#connection.address} is not a session record`,
    );
  }
}

// A fixed field order: the touch script relies on lastSeenAt preceding cart.
function serialise(record: SessionRecord): string {
  const { id, user, createdAt, lastSeenAt, cart } = record;
  return JSON.stringify({ id, user, createdAt, lastSeenAt, cart });
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
