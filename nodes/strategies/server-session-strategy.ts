import type { Context } from 'koa';
import { setTimeout as delay } from 'node:timers/promises';
import type { Cart, SessionRecord, SessionStore } from '../../store/session-store.ts';
import { HttpError } from '../errors.ts';
import type { SessionMetrics, StoreStatsSource } from '../metrics.ts';
import { isWellFormedSessionId, newSessionId } from '../session-id.ts';
import { clearCookie, putSetCookie, readCookie, sessionCookieHeader } from './http-cookie.ts';
import type { ActiveSession, SessionStrategy } from './strategy.ts';

/** Name of the session-id cookie. The balancer's affinity cookie has another name. */
export const SESSION_COOKIE = 'sid';

export const DEFAULT_CART_ATTEMPTS = 10;

export interface ServerSessionStrategyOptions {
  name: 'sticky' | 'redis' | 'clustered';
  variant: string;
  /** Owned from now on: closed by close(). */
  store: SessionStore;
  /** A session older than this (from createdAt) is ended, however active it is. */
  absoluteTimeoutMs: number;
  now: () => number;
  metrics: SessionMetrics;
  /** Compare-and-set attempts per cart write before 409 CART_CONFLICT. Default 10. */
  cartWriteAttempts?: number;
}

/**
 * Sessions held server-side (node memory, Redis, Hazelcast) and found by the
 * `sid` cookie: a fresh 256-bit id at each login, checked on each request,
 * destroyed at logout. Idle expiry belongs to the store (its TTL, slid here
 * on every authenticated request); the absolute timeout is enforced here
 * because only the strategy knows it. Which store, and so what survives a
 * node loss, is the whole difference between sticky, redis and clustered.
 */
export class ServerSessionStrategy implements SessionStrategy, StoreStatsSource {
  readonly name: 'sticky' | 'redis' | 'clustered';
  readonly variant: string;
  readonly #store: SessionStore;
  readonly #absoluteTimeoutMs: number;
  readonly #now: () => number;
  readonly #metrics: SessionMetrics;
  readonly #maxAttempts: number;
  // The id behind each session handed to a route; writeCart needs it.
  readonly #records = new WeakMap<ActiveSession, SessionRecord>();

  constructor(options: ServerSessionStrategyOptions) {
    this.name = options.name;
    this.variant = options.variant;
    this.#store = options.store;
    this.#absoluteTimeoutMs = options.absoluteTimeoutMs;
    this.#now = options.now;
    this.#metrics = options.metrics;
    this.#maxAttempts = options.cartWriteAttempts ?? DEFAULT_CART_ATTEMPTS;
    if (!Number.isInteger(this.#maxAttempts) || this.#maxAttempts < 1) {
      throw new TypeError('ServerSessionStrategy: cartWriteAttempts must be an integer >= 1');
    }
  }

  /**
   * Starts a session under a fresh id. The id the client sent, if any, is
   * never reused and its session is ended: a planted id (session fixation)
   * must not become an authenticated one.
   */
  async login(ctx: Context, user: string): Promise<Record<string, unknown>> {
    const previous = readCookie(ctx, SESSION_COOKIE);
    if (previous !== undefined && isWellFormedSessionId(previous)) {
      if (await this.#store.destroy(previous)) {
        this.#metrics.sessionsDestroyed.inc({ reason: 'relogin' });
      }
    }
    const now = this.#now();
    const id = newSessionId();
    await this.#store.create({ id, user, createdAt: now, lastSeenAt: now, cart: emptyCart() });
    this.#metrics.sessionsCreated.inc();
    putSetCookie(ctx, SESSION_COOKIE, sessionCookieHeader(ctx, SESSION_COOKIE, id));
    return {};
  }

  async load(ctx: Context): Promise<ActiveSession> {
    const id = readCookie(ctx, SESSION_COOKIE);
    if (id === undefined) throw new HttpError('NO_SESSION');
    // Malformed ids never reach the store; unknown, expired and destroyed ones
    // get the same answer, so a client cannot tell them apart.
    if (!isWellFormedSessionId(id)) throw this.#lost(ctx);
    // One step: read the session and slide its idle timeout.
    const now = this.#now();
    const record = await this.#store.getAndTouch(id, now);
    if (!record) throw this.#lost(ctx);

    if (now - record.createdAt >= this.#absoluteTimeoutMs) {
      if (await this.#store.destroy(id)) {
        this.#metrics.sessionsExpired.inc({ reason: 'absolute' });
      }
      clearCookie(ctx, SESSION_COOKIE);
      throw new HttpError('SESSION_EXPIRED');
    }
    // getAndTouch already returned a fresh copy stamped with `now`.
    const session: SessionRecord = record;
    this.#records.set(session, session);
    return session;
  }

  async logout(ctx: Context, session: ActiveSession): Promise<void> {
    if (await this.#store.destroy(this.#recordOf(session).id)) {
      this.#metrics.sessionsDestroyed.inc({ reason: 'logout' });
    }
    clearCookie(ctx, SESSION_COOKIE);
  }

  /**
   * Read-modify-write with compare-and-set: a write that lost a race re-reads
   * and re-applies its change, so concurrent writes all land, each with its
   * own version. Bounded: under endless contention the client gets a 409.
   * A store without compare-and-set (Redis `lww`) never reports a conflict,
   * so there the last write wins and the lab counts the updates lost.
   */
  async writeCart(
    ctx: Context,
    session: ActiveSession,
    change: (cart: Cart) => Cart,
  ): Promise<Cart> {
    const { id } = this.#recordOf(session);
    // The first attempt uses the session just loaded: one store round trip fewer.
    let current: SessionRecord | undefined = this.#recordOf(session);
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt += 1) {
      if (attempt > 1) {
        // Jitter so racing writers do not collide again in lockstep.
        await delay(Math.random() * 2 * attempt);
        current = await this.#store.get(id);
      }
      if (!current) throw this.#lost(ctx);
      const cart = change(current.cart);
      const next = { ...current, lastSeenAt: this.#now(), cart };
      const result = await this.#store.set(next, current.cart.version);
      if (result === 'ok') return cart;
      if (result === 'missing') throw this.#lost(ctx);
    }
    throw new HttpError('CART_CONFLICT');
  }

  ready(): Promise<void> {
    return this.#store.ping();
  }

  count(): Promise<number> {
    return this.#store.count();
  }

  close(): Promise<void> {
    return this.#store.close();
  }

  /** The store's eviction and expiry counters, when it keeps them (the memory store does). */
  stats(): { evictions: number; expirations: number } | undefined {
    const store = this.#store as Partial<StoreStatsSource>;
    return typeof store.stats === 'function' ? store.stats() : undefined;
  }

  // For a session that vanished: clears the cookie and returns the 401 to throw.
  #lost(ctx: Context): HttpError {
    clearCookie(ctx, SESSION_COOKIE);
    return new HttpError('NO_SESSION');
  }

  #recordOf(session: ActiveSession): SessionRecord {
    const record = this.#records.get(session);
    if (!record) throw new TypeError(`${this.name}: the session was not loaded by this strategy`);
    return record;
  }
}

function emptyCart(): Cart {
  return { items: [], version: 0 };
}
