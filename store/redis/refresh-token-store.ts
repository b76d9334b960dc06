import { createHash, randomBytes } from 'node:crypto';
import { StoreError, StoreOptionError } from '../errors.ts';
import { RedisConnection, type RedisTimeouts } from './client.ts';
import { ISSUE_FAMILY, REVOKE_FAMILY, ROTATE } from './refresh-scripts.ts';
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
}

/** A login's chain of refresh tokens. `createdAt` is epoch ms of the login. */
export interface RefreshFamily {
  familyId: string;
  user: string;
  createdAt: number;
}

export type RotateResult =
  | { outcome: 'rotated'; token: string; family: RefreshFamily }
  /** reused: the token was already used, and the family is now revoked (C14). */
  | { outcome: 'reused' | 'revoked' | 'expired'; familyId: string; user: string }
  | { outcome: 'unknown' };

/** Counters for claims C12 and C14; `roundTrips / refreshes` is store I/O per refresh. */
export interface RefreshStats {
  refreshes: number;
  rotated: number;
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

/** What Redis stores in place of the token: a stolen dump does not yield usable tokens. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/**
 * Refresh tokens in Redis, rotated on every use (see refresh-scripts.ts for
 * the data and the atomic steps). Rotation is strict: two refreshes with one
 * token, even from one honest client racing itself, count as reuse and
 * revoke the family. Redis failures become store errors (StoreUnavailableError:
 * 503) through the same fail-fast connection as RedisSessionStore (client.ts).
 */
export class RefreshTokenStore {
  readonly #connection: RedisConnection;
  readonly #ttlMs: number;
  readonly #maxFamilyAgeMs: number;
  readonly #prefix: string;
  readonly #stats: RefreshStats = {
    refreshes: 0,
    rotated: 0,
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

  /** Trades a live token for a new one in the same family, atomically. */
  async rotate(token: string, now: number): Promise<RotateResult> {
    this.#stats.refreshes += 1;
    // A string that cannot be one of our tokens costs no Redis round trip.
    if (!TOKEN_PATTERN.test(token)) return this.#count({ outcome: 'unknown' });
    const next = newRefreshToken();
    const keys = [this.#tokenKey(token), this.#tokenKey(next), this.#liveKey()];
    const { reply, roundTrips } = await this.#script(ROTATE, keys, [
      `${this.#prefix}f:`,
      now,
      this.#ttlMs,
      this.#maxFamilyAgeMs,
    ]);
    const [outcome, commands, familyId, user, createdAt] = reply as [string, number, ...string[]];
    this.#stats.roundTrips += roundTrips;
    this.#stats.commands += commands;
    if (outcome === 'unknown') return this.#count({ outcome });
    if (familyId === undefined || user === undefined) throw badReply('rotate', reply);
    if (outcome === 'rotated') {
      const family = { familyId, user, createdAt: Number(createdAt) };
      return this.#count({ outcome, token: next, family });
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
