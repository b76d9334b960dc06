import type { Context } from 'koa';

/** Name of the node's session cookie. The balancer's affinity cookie has another name. */
export const SESSION_COOKIE = 'sid';

// Lax: sent on top-level navigation, not on cross-site subrequests (CSRF).
const ATTRIBUTES = 'Path=/; HttpOnly; SameSite=Lax';

/** The raw value of the first `sid` cookie the client sent, if any. */
export function readSessionCookie(ctx: Context): string | undefined {
  const header = ctx.get('Cookie');
  if (header === '') return undefined;
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator !== -1 && pair.slice(0, separator).trim() === SESSION_COOKIE) {
      return pair.slice(separator + 1).trim();
    }
  }
  return undefined;
}

/**
 * Sets the session cookie. `Secure` follows `ctx.secure`, which (app.proxy)
 * trusts the balancer's X-Forwarded-Proto: browsers on https never send the
 * id in clear, while plain-http lab runs still work.
 */
export function writeSessionCookie(ctx: Context, id: string): void {
  ctx.append('Set-Cookie', `${SESSION_COOKIE}=${id}; ${ATTRIBUTES}${ctx.secure ? '; Secure' : ''}`);
}

/** Tells the client to drop its session cookie. */
export function clearSessionCookie(ctx: Context): void {
  const expired = 'Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0';
  ctx.append(
    'Set-Cookie',
    `${SESSION_COOKIE}=; ${expired}; ${ATTRIBUTES}${ctx.secure ? '; Secure' : ''}`,
  );
}
