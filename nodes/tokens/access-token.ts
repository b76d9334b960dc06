import { errors, jwtVerify, SignJWT } from 'jose';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { SigningKeys } from './keys.ts';

/** The JWT `typ` of an access token (RFC 9068); other JWTs (ID tokens...) are refused. */
export const ACCESS_TOKEN_TYPE = 'at+jwt';
/** RFC 9068 wants a `client_id`; the workload has one client. */
export const CLIENT_ID = 'session-lab-web';
/** Longer strings are refused unparsed: ours are ~500 characters, and parsing is work. */
export const MAX_ACCESS_TOKEN_LENGTH = 4096;

export interface AccessTokenOptions {
  keys: SigningKeys;
  issuer: string;
  audience: string;
  /** exp − iat; also the most a verified token may have lived (maxTokenAge). */
  ttlSeconds: number;
  /** Leeway on exp, nbf and iat for clocks that differ between nodes. */
  clockSkewSeconds: number;
}

/** Who a verified token speaks for. Times are epoch seconds, as in the token. */
export interface AccessClaims {
  user: string;
  /** The refresh-token family (`sid`): what logout revokes. */
  familyId: string;
  tokenId: string;
  /** When the user logged in (`auth_time`); refreshes keep it. */
  authTime: number;
  expiresAt: number;
}

export interface IssuedAccessToken {
  token: string;
  /** Seconds until it expires, for the login body's `expiresIn`. */
  expiresIn: number;
  claims: AccessClaims;
}

/** `expired`: a genuine token past exp (401 SESSION_EXPIRED); `invalid`: anything else. */
export type AccessTokenFailure = 'invalid' | 'expired';

export class AccessTokenError extends Error {
  readonly reason: AccessTokenFailure;

  constructor(reason: AccessTokenFailure, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AccessTokenError';
    this.reason = reason;
  }
}

// What jose does not check itself: the types of our own claims.
const OwnClaims = z.object({
  sub: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/),
  sid: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  jti: z.string().min(1).max(64),
  auth_time: z.int().nonnegative(),
  exp: z.number(),
});

/**
 * Signs and verifies access tokens. They carry identity only and are checked
 * without any store: a token stays valid until exp even after logout (no
 * denylist). That revocation window is what claim C10 measures, so it is
 * kept visible and bounded by `ttlSeconds`, not hidden.
 */
export class AccessTokens {
  readonly #options: AccessTokenOptions;

  constructor(options: AccessTokenOptions) {
    this.#options = options;
  }

  get ttlSeconds(): number {
    return this.#options.ttlSeconds;
  }

  /** A token for `user` in refresh family `familyId`, issued at `nowMs`. */
  async issue(
    subject: { user: string; familyId: string; authTime: number },
    nowMs: number,
  ): Promise<IssuedAccessToken> {
    const { keys, issuer, audience, ttlSeconds } = this.#options;
    const issuedAt = Math.floor(nowMs / 1000);
    const tokenId = randomBytes(16).toString('base64url');
    const expiresAt = issuedAt + ttlSeconds;
    const token = await new SignJWT({
      sid: subject.familyId,
      auth_time: subject.authTime,
      client_id: CLIENT_ID,
    })
      .setProtectedHeader({ alg: keys.alg, typ: ACCESS_TOKEN_TYPE, kid: keys.kid })
      .setSubject(subject.user)
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(issuedAt)
      .setNotBefore(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(tokenId)
      .sign(keys.signingKey);
    return {
      token,
      expiresIn: ttlSeconds,
      claims: { ...subject, tokenId, expiresAt },
    };
  }

  /**
   * The claims of a token this topology issued and that is valid at `nowMs`;
   * throws an AccessTokenError otherwise. The algorithm comes from the
   * configuration, never from the token's header: `alg: none`, another
   * algorithm, or an HMAC keyed with our public key are all refused.
   */
  async verify(token: string, nowMs: number): Promise<AccessClaims> {
    if (token.length > MAX_ACCESS_TOKEN_LENGTH) {
      throw new AccessTokenError('invalid', 'access token too long');
    }
    const { keys, issuer, audience, ttlSeconds, clockSkewSeconds } = this.#options;
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, keys.verificationKey, {
        algorithms: [keys.alg],
        issuer,
        audience,
        typ: ACCESS_TOKEN_TYPE,
        clockTolerance: clockSkewSeconds,
        maxTokenAge: ttlSeconds,
        currentDate: new Date(nowMs),
        requiredClaims: ['exp', 'nbf', 'iat', 'jti', 'sub', 'sid', 'auth_time', 'client_id'],
      }));
    } catch (error) {
      // Expiry is only reported for a token whose signature checked out.
      const reason = error instanceof errors.JWTExpired ? 'expired' : 'invalid';
      throw new AccessTokenError(reason, `access token refused: ${describe(error)}`, {
        cause: error,
      });
    }
    const claims = OwnClaims.safeParse(payload);
    if (!claims.success) throw new AccessTokenError('invalid', 'access token claims malformed');
    const { sub, sid, jti, auth_time, exp } = claims.data;
    return { user: sub, familyId: sid, tokenId: jti, authTime: auth_time, expiresAt: exp };
  }
}

function describe(error: unknown): string {
  if (error instanceof errors.JOSEError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
