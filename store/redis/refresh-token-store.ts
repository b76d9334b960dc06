import { createHash, createHmac, randomBytes } from 'node:crypto';
import { StoreError, StoreOptionError } from '../errors.ts';
import { RedisConnection, type RedisTimeouts } from './client.ts';
import { ISSUE_FAMILY, REVOKE_BY_TOKEN, REVOKE_FAMILY, ROTATE } from './refresh-scripts.ts';
import { runScript, type LuaScript } from './scripts.ts';

export interface RefreshTokenStoreOptions extends RedisTimeouts {
  /** `redis://host:port`. */
  url: string;
  /** Lifetime of each refresh token; a rotation starts a new one. */
  ttlSeconds: number;
  /** Default `sl:rt:`. */
  keyPrefix?: string;
  /** The absolute session lifetime: a family older than this stops rotating. Default: none. */
  maxFamilyAgeMs?: number | undefined;
  /**
   * How long after a rotation the immediately preceding token may be
   * presented again and get the same successor back (a client retrying a
   * refresh whose answer it lost). 0 (the default here) is strict rotation:
   * any reuse revokes the family. The jwt strategy's default is its config's.
   */
  reuseGraceMs?: number | undefined;
}

/** A login's chain of refresh tokens. `createdAt` is epoch ms of the login. */
export interface RefreshFamily {
  familyId: string;
  user: string;
  createdAt: number;
}

export type RotateResult =
  | { outcome: 'rotated'; token: string; family: RefreshFamily }
  /** grace: the immediately preceding token, within the window: its successor, again. */
  | { outcome: 'grace'; token: string; family: RefreshFamily }
  /** reused: the token was already used, and the family is now revoked (C14). */
  | { outcome: 'reused' | 'revoked' | 'expired'; familyId: string; user: string }
  | { outcome: 'unknown' };

/** Counters for claims C12 and C14; `roundTrips / refreshes` is store I/O per refresh. */
export interface RefreshStats {
  refreshes: number;
  rotated: number;
  /** Reuses of the immediately preceding token within the grace window: answered, not revoked. */
  grace: number;
  reused: number;
  revoked: number;
  expired: number;
  unknown: number;
  /** Network round trips to Redis spent on refreshes. */
  roundTrips: number;
  /** Redis commands those round trips ran (inside the scripts). */
  commands: number;
}

export const DEFAULT_REFRESH_KEY_PREFIX = 'sl:rt:';
/** 32 random bytes, base64url: 256 bits, beyond guessing, so a plain SHA-256 suffices to store it. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const OWNER = 'RefreshTokenStore';

/** A fresh opaque refresh token. */
export function newRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The successor of `token` under a grace window: HMAC-SHA256 keyed with the
 * presented token over a random salt kept in Redis. A node that sees the
 * preceding token again derives the same successor, so the store never holds
 * a token (only its hash and the salt), and nobody without the preceding
 * token can compute it.
 */
export function successorToken(token: string, salt: string): string {
  return createHmac('sha256', token).update(salt, 'utf8').digest('base64url');
}

/** What Redis stores in place of the token: a stolen dump does not yield usable tokens. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/**
 * Refresh tokens in Redis, rotated on every use (see refresh-scripts.ts for
 * the data and the atomic steps). Without a grace window rotation is strict:
 * two refreshes with one token, even from one honest client racing itself,
 * count as reuse and revoke the family. With one, the immediately preceding
 * token presented again within the window gets the successor already issued
 * (never a second one: one live chain per family). Redis failures become
 * store errors (StoreUnavailableError: 503) through the same fail-fast
 * connection as RedisSessionStore (client.ts).
 */
export class RefreshTokenStore {
  readonly #connection: RedisConnection;
  readonly #ttlMs: number;
  readonly #maxFamilyAgeMs: number;
  readonly #reuseGraceMs: number;
  readonly #prefix: string;
  readonly #stats: RefreshStats = {
    refreshes: 0,
    rotated: 0,
    grace: 0,
    reused: 0,
    revoked: 0,
    expired: 0,
    unknown: 0,
    roundTrips: 0,
    commands: 0,
  };

  constructor(options: RefreshTokenStoreOptions) {
    const { ttlSeconds } = options;
    if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1) {
      throw new StoreOptionError(`${OWNER}: ttlSeconds must be a whole number ≥ 1`);
    }
    this.#ttlMs = ttlSeconds * 1000;
    const maxAge = options.maxFamilyAgeMs ?? 0;
    if (!Number.isSafeInteger(maxAge) || maxAge < 0) {
      throw new StoreOptionError(`${OWNER}: maxFamilyAgeMs must be a whole number ≥ 0`);
    }
    this.#maxFamilyAgeMs = maxAge;
    const grace = options.reuseGraceMs ?? 0;
    // Beyond the token's own lifetime a window would outlive the successor it guards.
    if (!Number.isSafeInteger(grace) || grace < 0 || grace >= this.#ttlMs) {
      throw new StoreOptionError(
        `${OWNER}: reuseGraceMs must be a whole number ≥ 0 and below the token lifetime (${this.#ttlMs} ms)`,
      );
    }
    this.#reuseGraceMs = grace;
    this.#prefix = options.keyPrefix ?? DEFAULT_REFRESH_KEY_PREFIX;
    // A rotation replayed after a reconnect could rotate twice: the
    // connection never replays a command (see createFailFastClient).
    this.#connection = new RedisConnection(OWNER, options.url, options);
  }

  /** Opens the connection (no-op when already open); keeps retrying in the background on failure. */
  connect(): Promise<void> {
    return this.#connection.connect();
  }

  /** Starts a family for a login and returns its first token. */
  async issueFamily(user: string, now: number): Promise<{ token: string; family: RefreshFamily }> {
    const token = newRefreshToken();
    const family = { familyId: randomBytes(16).toString('base64url'), user, createdAt: now };
    const keys = [this.#tokenKey(token), this.#familyKey(family.familyId), this.#liveKey()];
    await this.#script(ISSUE_FAMILY, keys, [family.familyId, user, now, this.#ttlMs]);
    return { token, family };
  }

  /** The grace window in ms (0: strict rotation). */
  get reuseGraceMs(): number {
    return this.#reuseGraceMs;
  }

  /**
   * Trades a live token for a new one in the same family, atomically; within
   * the grace window, the immediately preceding token for its successor again.
   */
  async rotate(token: string, now: number): Promise<RotateResult> {
    this.#stats.refreshes += 1;
    // A string that cannot be one of our tokens costs no Redis round trip.
    if (!TOKEN_PATTERN.test(token)) return this.#count({ outcome: 'unknown' });
    // Strict rotation keeps no salt: the successor is plain random bytes.
    const salt = this.#reuseGraceMs > 0 ? randomBytes(16).toString('base64url') : '';
    const next = salt === '' ? newRefreshToken() : successorToken(token, salt);
    const keys = [this.#tokenKey(token), this.#tokenKey(next), this.#liveKey()];
    const { reply, roundTrips } = await this.#script(ROTATE, keys, [
      `${this.#prefix}f:`,
      now,
      this.#ttlMs,
      this.#maxFamilyAgeMs,
      this.#reuseGraceMs,
      salt,
    ]);
    const [outcome, commands, familyId, user, createdAt, storedSalt, successorKey] = reply as [
      string,
      number,
      ...(string | undefined)[],
    ];
    this.#stats.roundTrips += roundTrips;
    this.#stats.commands += commands;
    if (outcome === 'unknown') return this.#count({ outcome });
    if (familyId === undefined || user === undefined) throw badReply('rotate', reply);
    if (outcome === 'rotated') {
      const family = { familyId, user, createdAt: Number(createdAt) };
      return this.#count({ outcome, token: next, family });
    }
    if (outcome === 'grace') {
      const again = storedSalt === undefined ? undefined : successorToken(token, storedSalt);
      // The derivation must land on the successor the script found live.
      if (again === undefined || this.#tokenKey(again) !== successorKey) {
        throw badReply('rotate', reply);
      }
      const family = { familyId, user, createdAt: Number(createdAt) };
      return this.#count({ outcome, token: again, family });
    }
    if (outcome === 'reused' || outcome === 'revoked' || outcome === 'expired') {
      return this.#count({ outcome, familyId, user });
    }
    throw badReply('rotate', reply);
  }

  /** Revokes a family (logout); true when it was live. Idempotent. */
  async revokeFamily(familyId: string): Promise<boolean> {
    const keys = [this.#familyKey(familyId), this.#liveKey()];
    const { reply } = await this.#script(REVOKE_FAMILY, keys, [familyId]);
    return (reply as [number, number])[0] === 1;
  }

  /**
   * Revokes the family of a refresh token (logout without a live access
   * token): `revoked` when it was live, `already` when it was revoked before,
   * `unknown` when no family has this token (expired, or never issued).
   */
  async revokeByToken(token: string): Promise<'revoked' | 'already' | 'unknown'> {
    if (!TOKEN_PATTERN.test(token)) return 'unknown';
    const keys = [this.#tokenKey(token), this.#liveKey()];
    const { reply } = await this.#script(REVOKE_BY_TOKEN, keys, [`${this.#prefix}f:`]);
    const outcome = (reply as [string])[0];
    if (outcome === 'revoked' || outcome === 'already' || outcome === 'unknown') return outcome;
    throw badReply('revokeByToken', reply);
  }

  /** Families whose newest token is unexpired and not revoked: one ZCOUNT, O(log n). */
  countLiveFamilies(now: number): Promise<number> {
    return this.#connection.run('ZCOUNT', (redis) =>
      redis.zcount(this.#liveKey(), `(${now}`, '+inf'),
    );
  }

  /** A copy of the counters. */
  stats(): RefreshStats {
    return { ...this.#stats };
  }

  async ping(): Promise<void> {
    await this.#connection.run('PING', (redis) => redis.ping());
  }

  /** Quits when connected, drops the connection otherwise; bounded. Idempotent. */
  close(): Promise<void> {
    return this.#connection.close();
  }

  #count<T extends RotateResult>(result: T): T {
    this.#stats[result.outcome] += 1;
    return result;
  }

  #tokenKey(token: string): string {
    return `${this.#prefix}t:${hashRefreshToken(token)}`;
  }

  #familyKey(familyId: string): string {
    return `${this.#prefix}f:${familyId}`;
  }

  #liveKey(): string {
    return `${this.#prefix}live`;
  }

  #script(script: LuaScript, keys: string[], args: (string | number)[]) {
    return this.#connection.run('script', (redis) => runScript(redis, script, keys, args));
  }
}

function badReply(operation: string, reply: unknown): StoreError {
  return new StoreError('STORE_REDIS_ERROR', `${operation} answered ${JSON.stringify(reply)}`);
}
