// What a jwt client holds: the access token it sends as `Authorization:
// Bearer`, the refresh token that gets it a new one, and when to refresh.
// Other strategies answer the login without tokens, and then this stays empty.

/** The token part of a login or refresh answer. */
export interface TokenBody {
  accessToken?: unknown;
  refreshToken?: unknown;
  expiresIn?: unknown;
}

/** Refresh this long before expiry at most: the brief's "within 1 s". */
const MAX_MARGIN_MS = 1000;

export class BearerTokens {
  access: string | undefined;
  refresh: string | undefined;
  #expiresAt = 0;
  #marginMs = MAX_MARGIN_MS;

  /** Keeps the tokens of a 200 login/refresh body; returns false when it carries none. */
  take(body: TokenBody, receivedAtMs: number): boolean {
    if (typeof body.accessToken !== 'string') return false;
    this.access = body.accessToken;
    this.refresh = typeof body.refreshToken === 'string' ? body.refreshToken : undefined;
    const lifetimeMs = (typeof body.expiresIn === 'number' ? body.expiresIn : 60) * 1000;
    // The node stamps iat/exp in whole seconds (floored), so the token may
    // expire up to 1 s before receivedAt + expiresIn: assume the worst.
    this.#expiresAt = receivedAtMs + lifetimeMs - 1000;
    // A quarter of the usable lifetime for very short lifetimes, so a 1 s token is still used.
    this.#marginMs = Math.min(MAX_MARGIN_MS, Math.max(0, lifetimeMs - 1000) / 4);
    return true;
  }

  /** True when a refresh should go out before the next request. */
  due(nowMs: number): boolean {
    return this.refresh !== undefined && nowMs >= this.#expiresAt - this.#marginMs;
  }

  /** True when the access token may no longer be accepted: no request may carry it. */
  expired(nowMs: number): boolean {
    return this.access !== undefined && nowMs >= this.#expiresAt;
  }

  clear(): void {
    this.access = undefined;
    this.refresh = undefined;
    this.#expiresAt = 0;
  }
}
