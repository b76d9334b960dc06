import type { Context } from 'koa';
import { z } from 'zod';
import type { Cart } from '../../store/session-store.ts';
import { HttpError } from '../errors.ts';
import type { SessionMetrics } from '../metrics.ts';
import { CookieCodec } from './cookie-codec.ts';
import type { CookieKey } from './cookie-codec.ts';
import { clearCookie, putSetCookie, readCookie, sessionCookieHeader } from './http-cookie.ts';
import type { ActiveSession, SessionStrategy } from './strategy.ts';

/** Name of the cookie holding the whole session. */
export const SESSION_STATE_COOKIE = 'sls';

/** Largest Set-Cookie header value a browser is sure to keep (RFC 6265 §6.1: at least 4096 bytes). */
export const MAX_SET_COOKIE_BYTES = 4096;

// Reads re-issue the cookie (to slide the idle timeout) at most this often.
const MAX_TOUCH_INTERVAL_MS = 60_000;

export interface CookieStrategyOptions {
  /** The first key seals; every key opens (rotation: put the new key first, keep the old one second). */
  keys: readonly CookieKey[];
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  /** Epoch ms; the timestamps travel in the cookie, so this must be a wall clock. */
  now: () => number;
  metrics: SessionMetrics;
}

const Payload = z.strictObject({
  user: z.string(),
  createdAt: z.number().int(),
  lastSeenAt: z.number().int(),
  cart: z.strictObject({
    items: z.array(z.strictObject({ sku: z.string(), qty: z.number().int() })),
    version: z.number().int(),
  }),
});
type Payload = z.output<typeof Payload>;

/**
 * The whole session `{user, createdAt, lastSeenAt, cart}` lives in one
 * cookie, `sls`, sealed with AES-256-GCM (see CookieCodec): the client holds
 * it, cannot read or change it, and the node keeps nothing.
 *
 * What that means, and the lab measures (nothing here hides it):
 * - Logout only clears the cookie. A copy of the old value (stolen, or kept
 *   by a client that ignores the clearing) stays valid until its idle or
 *   absolute timeout: nothing server-side can revoke it.
 * - Concurrent writes from one client: each response carries a cookie built
 *   from the cart its request saw, so the last response to arrive wins and
 *   the other updates are lost. The version cannot catch it: both writes
 *   produce the same next version.
 * - A read that slides the idle timeout re-issues the cookie too, with the
 *   cart it saw; re-issuing at most every min(idle/10, 60 s) keeps both that
 *   race and the bytes per response small, at the price of a session ending
 *   up to that much earlier than its idle timeout.
 * - The size is bounded: a write whose Set-Cookie would exceed 4096 bytes is
 *   refused (413 COOKIE_TOO_LARGE), never truncated; the client keeps its
 *   previous cookie, so the cart stays as it was.
 * - Values that do not open (tampered, truncated, unknown or wrong key) are
 *   refused (401, cookie cleared) and counted in `cookieTampered`.
 */
export class CookieStrategy implements SessionStrategy {
  readonly name = 'cookie';
  readonly variant = 'aes-256-gcm';
  readonly #codec: CookieCodec;
  readonly #idleTimeoutMs: number;
  readonly #absoluteTimeoutMs: number;
  readonly #touchIntervalMs: number;
  readonly #now: () => number;
  readonly #metrics: SessionMetrics;

  constructor(options: CookieStrategyOptions) {
    this.#codec = new CookieCodec(options.keys, SESSION_STATE_COOKIE);
    this.#idleTimeoutMs = options.idleTimeoutMs;
    this.#absoluteTimeoutMs = options.absoluteTimeoutMs;
    this.#touchIntervalMs = Math.min(MAX_TOUCH_INTERVAL_MS, Math.floor(options.idleTimeoutMs / 10));
    this.#now = options.now;
    this.#metrics = options.metrics;
  }

  /** A fresh cookie; whatever the client sent before is simply replaced. */
  login(ctx: Context, user: string): Promise<Record<string, unknown>> {
    const now = this.#now();
    this.#issue(ctx, { user, createdAt: now, lastSeenAt: now, cart: { items: [], version: 0 } });
    this.#metrics.sessionsCreated.inc();
    return Promise.resolve({});
  }

  load(ctx: Context): Promise<ActiveSession> {
    return Promise.resolve(this.#load(ctx));
  }

  /** Clears the cookie; see the class comment for what that cannot do. */
  logout(ctx: Context): Promise<void> {
    clearCookie(ctx, SESSION_STATE_COOKIE);
    this.#metrics.sessionsDestroyed.inc({ reason: 'logout' });
    return Promise.resolve();
  }

  /** Never conflicts: the request's own cookie is the only copy it sees. */
  writeCart(ctx: Context, session: ActiveSession, change: (cart: Cart) => Cart): Promise<Cart> {
    const cart = change(session.cart);
    this.#issue(ctx, {
      user: session.user,
      createdAt: session.createdAt,
      lastSeenAt: this.#now(),
      cart,
    });
    return Promise.resolve(cart);
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  /** The node holds no session, so it cannot count them. */
  count(): Promise<undefined> {
    return Promise.resolve(undefined);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #load(ctx: Context): Payload {
    const value = readCookie(ctx, SESSION_STATE_COOKIE);
    if (value === undefined) throw new HttpError('NO_SESSION');
    const session = this.#open(ctx, value);
    const now = this.#now();
    const expired =
      now - session.createdAt >= this.#absoluteTimeoutMs
        ? 'absolute'
        : now - session.lastSeenAt >= this.#idleTimeoutMs
          ? 'idle'
          : undefined;
    if (expired) {
      this.#metrics.sessionsExpired.inc({ reason: expired });
      clearCookie(ctx, SESSION_STATE_COOKIE);
      throw new HttpError('SESSION_EXPIRED');
    }
    if (now - session.lastSeenAt >= this.#touchIntervalMs) {
      const touched = { ...session, lastSeenAt: now };
      // Cannot outgrow the limit unless Secure was just added; then the old
      // cookie simply stays until its idle timeout.
      const header = this.#header(ctx, touched);
      if (Buffer.byteLength(header) <= MAX_SET_COOKIE_BYTES) {
        putSetCookie(ctx, SESSION_STATE_COOKIE, header);
      }
      return touched;
    }
    return session;
  }

  #open(ctx: Context, value: string): Payload {
    const opened = this.#codec.open(value);
    let payload: Payload | undefined;
    if (opened.ok) {
      try {
        payload = Payload.parse(JSON.parse(opened.plaintext.toString('utf8')));
      } catch {
        // Sealed by a key of ours but not a session: a bug or a leaked key.
      }
    }
    if (!payload) {
      this.#metrics.cookieTampered.inc({ reason: opened.ok ? 'malformed' : opened.reason });
      clearCookie(ctx, SESSION_STATE_COOKIE);
      throw new HttpError('NO_SESSION');
    }
    return payload;
  }

  // Throws 413 before touching the response: the client keeps its previous cookie.
  #issue(ctx: Context, session: Payload): void {
    const header = this.#header(ctx, session);
    const bytes = Buffer.byteLength(header);
    if (bytes > MAX_SET_COOKIE_BYTES) {
      throw new HttpError(
        'COOKIE_TOO_LARGE',
        `the session cookie would take ${bytes} bytes, over ${MAX_SET_COOKIE_BYTES}; ` +
          'the cart was not changed',
      );
    }
    putSetCookie(ctx, SESSION_STATE_COOKIE, header);
  }

  #header(ctx: Context, session: Payload): string {
    const { user, createdAt, lastSeenAt, cart } = session;
    // Fixed field order and only these fields: nothing else ever gets sealed.
    const json = JSON.stringify({
      user,
      createdAt,
      lastSeenAt,
      cart: { items: cart.items.map(({ sku, qty }) => ({ sku, qty })), version: cart.version },
    });
    const value = this.#codec.seal(Buffer.from(json, 'utf8'));
    return sessionCookieHeader(ctx, SESSION_STATE_COOKIE, value);
  }
}
