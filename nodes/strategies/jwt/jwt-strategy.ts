import type { Context } from 'koa';
import type { Logger } from 'pino';
import type { Cart } from '../../../store/session-store.ts';
import { HttpError } from '../../errors.ts';
import type { SessionMetrics } from '../../metrics.ts';
import type { AccessClaims, AccessTokens } from '../../tokens/access-token.ts';
import { AccessTokenError } from '../../tokens/access-token.ts';
import type {
  RefreshFamily,
  RefreshStats,
  RefreshTokenStore,
} from '../../../store/redis/refresh-token-store.ts';
import type { ActiveSession, SessionStrategy } from '../strategy.ts';
import type { UserCartStore } from '../../../store/redis/user-cart-store.ts';

export interface JwtStrategyParts {
  access: AccessTokens;
  refreshTokens: RefreshTokenStore;
  carts: UserCartStore;
  variant: string;
  now: () => number;
  logger?: Logger;
  /** The node's session counters: a family counts as a session; refresh-token reuses. */
  metrics?: SessionMetrics;
}

/** What login and refresh answer (plus the route's own fields). */
export interface TokenBody {
  accessToken: string;
  refreshToken: string;
  /** Seconds the access token lives. */
  expiresIn: number;
}

const REALM = 'Bearer realm="session-lab"';
// RFC 6750 §3: a request without credentials gets the challenge without an error code.
const CHALLENGE_MISSING = { 'WWW-Authenticate': REALM };
const CHALLENGE_INVALID = { 'WWW-Authenticate': `${REALM}, error="invalid_token"` };
// RFC 6750 b64token, after the scheme (case-insensitive) and one or more spaces.
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Identity in a short-lived signed access token (Authorization: Bearer),
 * checked on every node without a store; refresh tokens rotated in Redis;
 * the cart in Redis keyed by user (the token carries no user data).
 *
 * Logout revokes the refresh family, but the access token in hand keeps
 * working until it expires: stateless verification has no denylist. The lab
 * measures that window (claim C10) against `accessTtlSeconds`. A client whose
 * access token has expired logs out with its refresh token instead
 * (`logoutByRefreshToken`).
 *
 * `load` still reads the cart (one Redis round trip, which also slides the
 * cart's TTL) because ActiveSession carries it; the identity check itself
 * costs no I/O.
 */
export class JwtStrategy implements SessionStrategy {
  readonly name = 'jwt' as const;
  readonly variant: string;
  readonly #access: AccessTokens;
  readonly #refreshTokens: RefreshTokenStore;
  readonly #carts: UserCartStore;
  readonly #now: () => number;
  readonly #logger: Logger | undefined;
  readonly #metrics: SessionMetrics | undefined;
  // The verified claims of requests in flight: logout needs the family id,
  // which ActiveSession does not carry.
  readonly #claims = new WeakMap<Context, AccessClaims>();

  constructor(parts: JwtStrategyParts) {
    this.variant = parts.variant;
    this.#access = parts.access;
    this.#refreshTokens = parts.refreshTokens;
    this.#carts = parts.carts;
    this.#now = parts.now;
    this.#logger = parts.logger;
    this.#metrics = parts.metrics;
  }

  async login(ctx: Context, user: string): Promise<Record<string, unknown>> {
    const now = this.#now();
    const { token, family } = await this.#refreshTokens.issueFamily(user, now);
    this.#metrics?.sessionsCreated.inc();
    return this.#tokenBody(ctx, family, token, now);
  }

  async load(ctx: Context): Promise<ActiveSession> {
    const claims = await this.#verify(ctx);
    this.#claims.set(ctx, claims);
    // The read slides the cart's idle TTL: a cart that is only looked at stays.
    const cart = await this.#carts.read(claims.user, this.#now());
    // auth_time has second resolution, so the session age has too.
    return { user: claims.user, createdAt: claims.authTime * 1000, cart };
  }

  /** Revokes the refresh family; the access token stays valid until exp (see above). */
  async logout(ctx: Context, _session: ActiveSession): Promise<void> {
    const claims = this.#claims.get(ctx) ?? (await this.#verify(ctx));
    if (await this.#refreshTokens.revokeFamily(claims.familyId)) {
      this.#metrics?.sessionsDestroyed.inc({ reason: 'logout' });
    }
  }

  /**
   * Logout by refresh token (POST /logout with {refreshToken}): revokes its
   * family whether or not an access token comes along, so a client whose
   * access token expired can still end its session. Holding a token of the
   * family is the proof. Unknown or already revoked tokens are not an error:
   * the answer is the same as for a live one (RFC 7009 §2.2), the token is
   * unusable either way.
   */
  async logoutByRefreshToken(_ctx: Context, refreshToken: string): Promise<void> {
    if ((await this.#refreshTokens.revokeByToken(refreshToken)) === 'revoked') {
      this.#metrics?.sessionsDestroyed.inc({ reason: 'logout' });
    }
  }

  writeCart(_ctx: Context, session: ActiveSession, change: (cart: Cart) => Cart): Promise<Cart> {
    return this.#carts.write(session.user, session.cart, change, this.#now());
  }

  /**
   * Rotates a refresh token. A reused one (already rotated) revokes its whole
   * family, so whichever of thief and owner comes second, both lose it;
   * except the immediately preceding token within the grace window, which
   * gets the successor already issued (a retry after a lost answer).
   */
  async refresh(ctx: Context, refreshToken: string): Promise<Record<string, unknown>> {
    const now = this.#now();
    const result = await this.#refreshTokens.rotate(refreshToken, now);
    switch (result.outcome) {
      case 'rotated':
        return this.#tokenBody(ctx, result.family, result.token, now);
      case 'grace':
        this.#metrics?.refreshReuse.inc({ outcome: 'grace' });
        return this.#tokenBody(ctx, result.family, result.token, now);
      case 'expired':
        throw new HttpError('SESSION_EXPIRED', 'the refresh token has expired; log in again');
      case 'reused':
        this.#metrics?.sessionsDestroyed.inc({ reason: 'refresh_reuse' });
        this.#metrics?.refreshReuse.inc({ outcome: 'detected' });
        this.#logger?.warn(
          { user: result.user, family: result.familyId.slice(0, 6) },
          'refresh token reused; family revoked',
        );
        // A replayed token (C14): the whole family is revoked, the client must log in.
        throw new HttpError('REFRESH_REUSED');
      case 'revoked':
        throw new HttpError('NO_SESSION', 'the refresh token family was revoked; log in again');
      case 'unknown':
        throw new HttpError('NO_SESSION', 'unknown refresh token; log in again');
    }
  }

  async ready(): Promise<void> {
    await Promise.all([this.#refreshTokens.connect(), this.#carts.connect()]);
    await Promise.all([this.#refreshTokens.ping(), this.#carts.ping()]);
  }

  /** Live refresh families (one ZCOUNT): the `jwt` analogue of live sessions. */
  count(): Promise<number | undefined> {
    return this.#refreshTokens.countLiveFamilies(this.#now());
  }

  /** The refresh-token reuse grace window in ms (0: strict rotation). */
  get refreshReuseGraceMs(): number {
    return this.#refreshTokens.reuseGraceMs;
  }

  /**
   * Refresh counters for claims C12 and C14. Not named `stats`: the node's
   * metrics read a strategy's `stats()` as store evictions/expirations.
   */
  refreshStats(): RefreshStats {
    return this.#refreshTokens.stats();
  }

  async close(): Promise<void> {
    await Promise.all([this.#refreshTokens.close(), this.#carts.close()]);
  }

  async #tokenBody(
    ctx: Context,
    family: RefreshFamily,
    refreshToken: string,
    now: number,
  ): Promise<TokenBody & Record<string, unknown>> {
    const subject = {
      user: family.user,
      familyId: family.familyId,
      authTime: Math.floor(family.createdAt / 1000),
    };
    const access = await this.#access.issue(subject, now);
    // Token responses must not be cached (RFC 6749 §5.1).
    ctx.set('Cache-Control', 'no-store');
    return { accessToken: access.token, refreshToken, expiresIn: access.expiresIn };
  }

  async #verify(ctx: Context): Promise<AccessClaims> {
    const header = ctx.get('Authorization');
    if (!/^Bearer(\s|$)/i.test(header)) {
      throw new HttpError('NO_SESSION', undefined, { headers: CHALLENGE_MISSING });
    }
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) {
      throw new HttpError('NO_SESSION', 'malformed bearer token', { headers: CHALLENGE_INVALID });
    }
    try {
      return await this.#access.verify(token, this.#now());
    } catch (error) {
      if (!(error instanceof AccessTokenError)) throw error;
      if (error.reason === 'expired') {
        throw new HttpError('SESSION_EXPIRED', 'the access token has expired; refresh it', {
          headers: CHALLENGE_INVALID,
          cause: error,
        });
      }
      throw new HttpError('NO_SESSION', 'invalid access token', {
        headers: CHALLENGE_INVALID,
        cause: error,
      });
    }
  }
}
