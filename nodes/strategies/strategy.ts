import type { Context } from 'koa';
import type { Cart } from '../../store/session-store.ts';

/**
 * Every strategy a node can run, and where it keeps a session: on the
 * server (the client holds only an id) or in the client (a sealed cookie,
 * signed tokens). Pure data, so the report can read it without loading any
 * strategy code.
 */
export const SESSION_HOLDERS = {
  sticky: 'server',
  redis: 'server',
  clustered: 'server',
  cookie: 'client',
  jwt: 'client',
} as const satisfies Record<string, 'server' | 'client'>;

export type StrategyName = keyof typeof SESSION_HOLDERS;
export const STRATEGY_NAMES = Object.keys(SESSION_HOLDERS) as readonly StrategyName[];

/** A request's session as the routes see it, whatever holds it. */
export interface ActiveSession {
  user: string;
  /** Epoch ms when the session (or the token family) started. */
  createdAt: number;
  cart: Cart;
}

/**
 * Where a node keeps session state, and how a client proves it has one.
 * One implementation per strategy, chosen in the factory (`index.ts`); the
 * routes only talk to this interface. A node swaps its strategy live: the new
 * one is built and made ready, then takes new requests, and the old one is
 * closed once the requests it was serving have finished.
 */
export interface SessionStrategy {
  readonly name: StrategyName;
  /**
   * Which variant or mode, for /admin/status and metrics: sticky `memory`,
   * redis `cas` | `lww`, clustered `replicated` | `partitioned` |
   * `partitioned+near-cache`, cookie `aes-256-gcm`, jwt `<alg>-<ttl>s`.
   */
  readonly variant: string;
  /**
   * Starts a session for a user whose password was checked (a fresh identity,
   * never one the client sent) and returns extra fields for the login body
   * (`jwt`: the tokens).
   */
  login(ctx: Context, user: string): Promise<Record<string, unknown>>;
  /**
   * The request's live session; throws HttpError 401 when there is none.
   * Pass the object back unchanged to `logout` and `writeCart`: a strategy
   * may key what it needs (the session id) on it.
   */
  load(ctx: Context): Promise<ActiveSession>;
  /** Ends the session server-side where the strategy can, and clears client state. */
  logout(ctx: Context, session: ActiveSession): Promise<void>;
  /**
   * Applies `change` to the cart as a read-modify-write; version goes up by
   * exactly 1 per accepted write. Returns the cart written.
   */
  writeCart(ctx: Context, session: ActiveSession, change: (cart: Cart) => Cart): Promise<Cart>;
  /** `jwt` only: rotates a refresh token (POST /auth/refresh). Others answer 404. */
  refresh?(ctx: Context, refreshToken: string): Promise<Record<string, unknown>>;
  /** `jwt` only: logout with a refresh token in the body, no live access token needed. */
  logoutByRefreshToken?(ctx: Context, refreshToken: string): Promise<void>;
  /** Resolves when what the strategy depends on (a store) is reachable. */
  ready(): Promise<void>;
  /** Live sessions held by this node or its store, when the strategy can tell. */
  count(): Promise<number | undefined>;
  close(): Promise<void>;
}
