import type { Context, Middleware } from 'koa';
import type { SessionRecord, SessionStore } from '../store/session-store.ts';
import { HttpError } from './errors.ts';
import type { NodeMetrics } from './metrics.ts';
import { clearSessionCookie, readSessionCookie, writeSessionCookie } from './session-cookie.ts';
import { isWellFormedSessionId, newSessionId } from './session-id.ts';

export interface SessionLayerOptions {
  store: SessionStore;
  /** A session older than this (from createdAt) is ended, however active it is. */
  absoluteTimeoutMs: number;
  now: () => number;
  metrics: NodeMetrics;
}

/** A route handler that runs only with a live session. */
export type SessionHandler = (ctx: Context, session: SessionRecord) => unknown;

/**
 * Server-side sessions keyed by the `sid` cookie: starting one at login,
 * finding and checking it on each request, ending it at logout. Idle expiry
 * belongs to the store (its TTL, slid here on every authenticated request);
 * the absolute timeout is enforced here because only the layer knows it.
 */
export class SessionLayer {
  readonly #store: SessionStore;
  readonly #absoluteTimeoutMs: number;
  readonly #now: () => number;
  readonly #metrics: NodeMetrics;

  constructor(options: SessionLayerOptions) {
    this.#store = options.store;
    this.#absoluteTimeoutMs = options.absoluteTimeoutMs;
    this.#now = options.now;
    this.#metrics = options.metrics;
  }

  /** Wraps a handler so it runs with the request's live session, or answers 401. */
  withSession(handler: SessionHandler): Middleware {
    return async (ctx) => {
      await handler(ctx, await this.#require(ctx));
    };
  }

  /**
   * Starts a session under a fresh id. The id the client sent, if any, is
   * never reused and its session is ended: a planted id (session fixation)
   * must not become an authenticated one.
   */
  async start(ctx: Context, user: string): Promise<SessionRecord> {
    const previous = readSessionCookie(ctx);
    if (previous !== undefined && isWellFormedSessionId(previous)) {
      if (await this.#store.destroy(previous)) {
        this.#metrics.sessionsDestroyed.inc({ reason: 'relogin' });
      }
    }
    const now = this.#now();
    const record: SessionRecord = {
      id: newSessionId(),
      user,
      createdAt: now,
      lastSeenAt: now,
      cart: { items: [], version: 0 },
    };
    await this.#store.create(record);
    this.#metrics.sessionsCreated.inc();
    writeSessionCookie(ctx, record.id);
    return record;
  }

  /** Ends the session server-side and clears the client's cookie. */
  async end(ctx: Context, session: SessionRecord): Promise<void> {
    if (await this.#store.destroy(session.id)) {
      this.#metrics.sessionsDestroyed.inc({ reason: 'logout' });
    }
    clearSessionCookie(ctx);
  }

  /** For a session that vanished mid-request: clears the cookie and returns the 401 to throw. */
  lost(ctx: Context): HttpError {
    clearSessionCookie(ctx);
    return new HttpError('NO_SESSION');
  }

  async #require(ctx: Context): Promise<SessionRecord> {
    const id = readSessionCookie(ctx);
    if (id === undefined) throw new HttpError('NO_SESSION');
    // Malformed ids never reach the store; unknown, expired and destroyed ones
    // get the same answer, so a client cannot tell them apart.
    if (!isWellFormedSessionId(id)) throw this.lost(ctx);
    const session = await this.#store.get(id);
    if (!session) throw this.lost(ctx);

    const now = this.#now();
    if (now - session.createdAt >= this.#absoluteTimeoutMs) {
      if (await this.#store.destroy(id)) {
        this.#metrics.sessionsExpired.inc({ reason: 'absolute' });
      }
      clearSessionCookie(ctx);
      throw new HttpError('SESSION_EXPIRED');
    }
    // Slides the idle timeout; false means the session ended since the read.
    if (!(await this.#store.touch(id, now))) throw this.lost(ctx);
    return { ...session, lastSeenAt: now };
  }
}
