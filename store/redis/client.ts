import { once } from 'node:events';
import { Redis, ReplyError } from 'ioredis';
import { StoreError, StoreOptionError, StoreUnavailableError } from '../errors.ts';
import { answersWithoutPassword } from './probe.ts';

/** Timeouts of a {@link RedisConnection}; both are checked by the connection. */
export interface RedisTimeouts {
  /** A command without a reply after this long fails as unavailable. Default 500 ms. */
  commandTimeoutMs?: number | undefined;
  /** A TCP connect that takes longer fails and is retried. Default 1000 ms. */
  connectTimeoutMs?: number | undefined;
}

/** An ACL user of Redis and its password (Redis 6+: `AUTH username password`). */
export interface RedisAuth {
  username: string;
  password: string;
}

/** What a {@link RedisConnection} takes besides its url. */
export interface RedisConnectionOptions extends RedisTimeouts {
  /**
   * The ACL user to log in as; wins over a user and password in the url.
   * Given here, the password never has to appear in a url (which ends up in
   * messages and configs more easily than a field does).
   */
  auth?: RedisAuth | undefined;
  /**
   * Accept a Redis that serves clients without a password. Default false:
   * `connect()` refuses it (STORE_REDIS_NO_AUTH), since anyone on the
   * machine could then read every session and forge one.
   */
  allowNoPassword?: boolean | undefined;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 500;
export const DEFAULT_CONNECT_TIMEOUT_MS = 1000;
/** The longest pause between two reconnect attempts. */
const MAX_RECONNECT_DELAY_MS = 1000;
/** Reply errors that mean "not now" rather than "wrong": the store is unavailable. */
const TRANSIENT_REPLY = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|READONLY|MISCONF|OOM)\b/;

/**
 * The one ioredis client of the stores, configured to fail fast. A node must
 * answer 503 quickly when Redis is away, never pile requests up behind it,
 * and recover by itself when it returns:
 * - `enableOfflineQueue: false`: a command issued while disconnected fails at
 *   once instead of waiting in an unbounded queue for a reconnect.
 * - `maxRetriesPerRequest: 0` and `autoResendUnfulfilledCommands: false`: a
 *   command in flight when the connection drops fails; it is never replayed,
 *   since a replayed write (or token rotation) may already have been applied.
 * - `commandTimeout`: a server that accepts but does not answer (paused,
 *   overloaded) costs a request at most this long.
 * - `socketTimeout` (4 × the command timeout): a connection with commands
 *   pending and no byte back for that long is dropped and re-dialled, so a
 *   half-open connection (network cut) does not outlive the cut.
 * - `connectTimeout`, and a `retryStrategy` of min(attempts × 100, 1000) ms
 *   that never gives up: recovery after an outage is automatic and at most a
 *   second late.
 * - `lazyConnect`: building does not connect; the entry point calls `connect()`.
 * - `auth` (else the url's `user:password@`): sent as `AUTH user password` on
 *   every (re)connect.
 */
export function createFailFastClient(
  url: string,
  timeouts: Required<RedisTimeouts>,
  auth?: RedisAuth,
): Redis {
  return new Redis(url, {
    ...(auth && { username: auth.username, password: auth.password }),
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: timeouts.commandTimeoutMs,
    socketTimeout: timeouts.commandTimeoutMs * 4,
    connectTimeout: timeouts.connectTimeoutMs,
    retryStrategy: (attempts) => Math.min(attempts * 100, MAX_RECONNECT_DELAY_MS),
    // CLIENT SETINFO needs Redis 7.2; skip two refused commands per connect.
    disableClientInfo: true,
  });
}

/**
 * A fail-fast client (see {@link createFailFastClient}) and the one place
 * where its failures become store errors: every connection or timeout
 * failure is a StoreUnavailableError with the cause, a command Redis refuses
 * is a StoreError `STORE_REDIS_ERROR`. The 'error' event always has a
 * listener (otherwise ioredis prints it) and the last error is kept, so a
 * rejection can say why Redis is unreachable. A StoreUnavailableError does
 * not say the write was not applied: the reply may be what was lost.
 */
export class RedisConnection {
  readonly #redis: Redis;
  readonly #address: string;
  readonly #host: string;
  readonly #port: number;
  readonly #commandTimeoutMs: number;
  readonly #allowNoPassword: boolean;
  /** Who owns the connection, for messages: `redis session store`. */
  readonly #owner: string;
  #lastError: Error | undefined;
  #closed = false;

  /** Checks the url and the timeouts (StoreOptionError naming `owner`); does not connect. */
  constructor(owner: string, url: unknown, options: RedisConnectionOptions = {}) {
    this.#owner = owner;
    const parsed = checkUrl(owner, url);
    this.#host = parsed.hostname;
    this.#port = Number(parsed.port || '6379');
    this.#address = `${parsed.hostname}:${this.#port}`;
    const auth = checkAuth(owner, options.auth);
    this.#allowNoPassword = options.allowNoPassword === true;
    this.#commandTimeoutMs = checkTimeout(
      owner,
      'commandTimeoutMs',
      options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    );
    const connectTimeoutMs = checkTimeout(
      owner,
      'connectTimeoutMs',
      options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    );
    this.#redis = createFailFastClient(
      url as string,
      { commandTimeoutMs: this.#commandTimeoutMs, connectTimeoutMs },
      auth,
    );
    this.#redis.on('error', (error: Error) => {
      this.#lastError = error;
    });
    this.#redis.on('ready', () => {
      this.#lastError = undefined;
    });
  }

  /** `host:port`, for messages. */
  get address(): string {
    return this.#address;
  }

  /**
   * Opens the connection; rejects with a StoreUnavailableError when the first
   * attempt fails. Either way the client keeps reconnecting in the
   * background, so a caller may start anyway and serve 503 until Redis is up.
   * Does nothing when already connecting or connected; fails once closed.
   *
   * Then, unless `allowNoPassword`, asks the same server a PING on a second
   * connection that logs in as nobody: a server that answers it is open to
   * every local user, and connect rejects with STORE_REDIS_NO_AUTH.
   */
  async connect(): Promise<void> {
    await this.run('connect', async (redis) => {
      if (redis.status === 'wait') await redis.connect();
    });
    if (this.#allowNoPassword) return;
    const open = await answersWithoutPassword(
      this.#host,
      this.#port,
      this.#commandTimeoutMs * 2,
    ).catch((error: unknown) => {
      throw new StoreUnavailableError(
        `${this.#owner}: could not check that redis at ${this.#address} wants a password: ${(error as Error).message}`,
        { cause: error },
      );
    });
    if (open) {
      throw new StoreError(
        'STORE_REDIS_NO_AUTH',
        `${this.#owner}: redis at ${this.#address} answers clients that give no password, so ` +
          'anyone on this machine can read and forge sessions; give it an ACL user and ' +
          '`user default off` (the lab does), or accept that with "allowNoPassword": true in the redis strategy config',
      );
    }
  }

  /**
   * Runs `body` with the client; every failure comes out as a store error. A
   * closed connection fails like an unreachable one.
   */
  async run<T>(operation: string, body: (redis: Redis) => Promise<T>): Promise<T> {
    if (this.#closed) throw new StoreUnavailableError(`${this.#owner} is closed`);
    try {
      return await body(this.#redis);
    } catch (error) {
      throw this.#translate(error, operation);
    }
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

  #translate(error: unknown, operation: string): Error {
    if (error instanceof StoreError) return error;
    const cause = error instanceof Error ? error : new Error(String(error));
    const where = `redis at ${this.#address}`;
    if (isReplyError(cause)) {
      if (!TRANSIENT_REPLY.test(cause.message)) {
        return new StoreError(
          'STORE_REDIS_ERROR',
          `${where} refused ${operation}: ${cause.message}`,
          {
            cause,
          },
        );
      }
      return new StoreUnavailableError(`${where} cannot serve ${operation} now: ${cause.message}`, {
        cause,
      });
    }
    if (this.#redis.status !== 'ready') {
      const why = describe(this.#lastError) ?? `not connected (${this.#redis.status})`;
      return new StoreUnavailableError(`${where} unreachable: ${why}`, { cause });
    }
    if (cause.message === 'Command timed out') {
      return new StoreUnavailableError(
        `${where} did not answer ${operation} within ${this.#commandTimeoutMs} ms`,
        { cause },
      );
    }
    return new StoreUnavailableError(`${where} failed ${operation}: ${cause.message}`, { cause });
  }
}

/** An error Redis answered with (`-ERR ...`), as opposed to a connection failure. */
export function isReplyError(error: unknown): boolean {
  return error instanceof (ReplyError as new () => Error);
}

// The errno code (ECONNREFUSED) says more than ioredis's wrapped message.
function describe(error: Error | undefined): string | undefined {
  if (!error) return undefined;
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' ? code : error.message;
}

function checkUrl(owner: string, value: unknown): URL {
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname) {
    // Credentials in the url stay out of the message.
    const shown = typeof value === 'string' ? value.replace(/\/\/[^@/]*@/, '//***@') : typeof value;
    throw new StoreOptionError(`${owner}: url must look like redis://host:port, got ${shown}`);
  }
  return url;
}

function checkAuth(owner: string, auth: unknown): RedisAuth | undefined {
  if (auth === undefined) return undefined;
  const { username, password } = (auth ?? {}) as Partial<RedisAuth>;
  if (typeof username !== 'string' || username === '' || typeof password !== 'string') {
    throw new StoreOptionError(`${owner}: auth must be {username, password}, both text`);
  }
  return { username, password };
}

function checkTimeout(owner: string, name: string, value: unknown): number {
  return checkInteger(owner, name, value, 1, 60000);
}

/** A whole number in [min, max], or a StoreOptionError naming the option. */
export function checkInteger(
  owner: string,
  name: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StoreOptionError(
      `${owner}: ${name} must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return value;
}
