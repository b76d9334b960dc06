/**
 * The `jwt` strategy: what the strategy factory imports.
 *
 * Switch body (`lab strategy jwt`, POST to the node's admin endpoint):
 *   { name: 'jwt', jwt: JwtStrategyConfig, redis: { url } }
 * `jwt` is parsed with {@link JwtStrategyConfigSchema}:
 *   keys               required; `{alg: 'ES256', privateJwk, publicJwk}` (the lab's
 *                      default, from generateSigningKeys()) or `{alg: 'HS256', secret}`.
 *                      One set per topology: every node must get the same keys.
 *   issuer             default 'session-lab'         (`iss`, checked)
 *   audience           default 'session-lab-api'     (`aud`, checked)
 *   accessTtlSeconds   default 60     1..86400       access-token lifetime = the
 *                                                    revocation window after logout (C10)
 *   refreshTtlSeconds  default 86400  60..2592000    per refresh token, restarted by
 *                                                    each rotation; also the carts' idle TTL
 *   clockSkewSeconds   default 5      0..300         leeway on exp/nbf/iat
 *   refreshReuseGraceSeconds default 30  0..60       how long the immediately preceding
 *                                                    refresh token still gets its successor
 *                                                    (a retry after a lost answer); 0 = strict
 * The body carries a private key: never log it.
 *
 * `createJwtStrategy(config, deps)` builds without connecting: `ready()`
 * connects to Redis and pings it.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { SessionMetrics } from '../../metrics.ts';
import { AccessTokens } from '../../tokens/access-token.ts';
import { loadSigningKeys, SigningKeysSchema } from '../../tokens/keys.ts';
import { RefreshTokenStore } from '../../../store/redis/refresh-token-store.ts';
import { JwtStrategy } from './jwt-strategy.ts';
import { UserCartStore } from '../../../store/redis/user-cart-store.ts';

export { generateSigningKeys, SigningKeysSchema } from '../../tokens/keys.ts';
export type { SigningKeysConfig } from '../../tokens/keys.ts';
export { JwtStrategy } from './jwt-strategy.ts';

const DAY_SECONDS = 86_400;

/**
 * The refresh-token reuse grace window by default: 30 s, Okta's default
 * refresh-token rotation `leeway` (Okta Applications API, OAuth 2.0 client
 * setting `refresh_token.leeway`: default 30 s, during which the token just
 * rotated out still works so a client can fetch the new one; documented as
 * OpenIdConnectApplicationSettingsRefreshToken in Okta's SDKs). Auth0's
 * equivalent (`leeway`, the "reuse interval") defaults to 0, and Amazon
 * Cognito's `RetryGracePeriodSeconds` allows 0..60 s: hence the bound of 60.
 */
export const DEFAULT_REFRESH_REUSE_GRACE_SECONDS = 30;

export const JwtStrategyConfigSchema = z
  .object({
    keys: SigningKeysSchema,
    issuer: z.string().min(1).max(256).default('session-lab'),
    audience: z.string().min(1).max(256).default('session-lab-api'),
    accessTtlSeconds: z.int().min(1).max(DAY_SECONDS).default(60),
    refreshTtlSeconds: z
      .int()
      .min(60)
      .max(30 * DAY_SECONDS)
      .default(DAY_SECONDS),
    clockSkewSeconds: z.int().min(0).max(300).default(5),
    refreshReuseGraceSeconds: z.int().min(0).max(60).default(DEFAULT_REFRESH_REUSE_GRACE_SECONDS),
  })
  .strict()
  .refine((config) => config.refreshTtlSeconds > config.accessTtlSeconds, {
    message: 'refreshTtlSeconds must exceed accessTtlSeconds',
    path: ['refreshTtlSeconds'],
  })
  .refine((config) => config.refreshReuseGraceSeconds < config.refreshTtlSeconds, {
    message: 'refreshReuseGraceSeconds must be below refreshTtlSeconds',
    path: ['refreshReuseGraceSeconds'],
  });

/** The parsed `jwt` member, defaults applied. */
export type JwtStrategyConfig = z.output<typeof JwtStrategyConfigSchema>;

/** The switch body without its name; `jwt` may be raw (it is parsed again here). */
export interface JwtStrategyInput {
  jwt: z.input<typeof JwtStrategyConfigSchema>;
  redis: { url: string };
}

export interface JwtStrategyDeps {
  nodeId: string;
  /** Epoch ms; tests move it to cross token expiries without waiting. */
  now?: () => number;
  logger?: Logger;
  /** Counts logins (sessionsCreated), revoked families (sessionsDestroyed), refresh reuses (refreshReuse). */
  metrics?: SessionMetrics;
  /** The node's absolute session lifetime: no refresh beyond it, the user logs in again. */
  absoluteTimeoutMs?: number;
}

/**
 * Builds the strategy: imports the keys (a mismatched pair throws a
 * ConfigError), prepares the Redis clients without connecting them.
 */
export async function createJwtStrategy(
  config: JwtStrategyInput,
  deps: JwtStrategyDeps,
): Promise<JwtStrategy> {
  const jwt = JwtStrategyConfigSchema.parse(config.jwt);
  const keys = await loadSigningKeys(jwt.keys);
  const access = new AccessTokens({
    keys,
    issuer: jwt.issuer,
    audience: jwt.audience,
    ttlSeconds: jwt.accessTtlSeconds,
    clockSkewSeconds: jwt.clockSkewSeconds,
  });
  // Carts first: RedisSessionStore checks the url and throws a clear StoreOptionError.
  const carts = new UserCartStore({
    url: config.redis.url,
    idleTtlMs: jwt.refreshTtlSeconds * 1000,
  });
  const refreshTokens = new RefreshTokenStore({
    url: config.redis.url,
    ttlSeconds: jwt.refreshTtlSeconds,
    maxFamilyAgeMs: deps.absoluteTimeoutMs,
    reuseGraceMs: jwt.refreshReuseGraceSeconds * 1000,
  });
  return new JwtStrategy({
    access,
    refreshTokens,
    carts,
    variant: `${keys.alg}-${jwt.accessTtlSeconds}s`,
    now: deps.now ?? Date.now,
    logger: deps.logger?.child({ strategy: 'jwt', node: deps.nodeId }),
    metrics: deps.metrics,
  });
}
