import type { Context } from 'koa';

// Lax: sent on top-level navigation, not on cross-site subrequests (CSRF).
const ATTRIBUTES = 'Path=/; HttpOnly; SameSite=Lax';
const EXPIRED = 'Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0';

/** The raw value of the first cookie of that name the client sent, if any. */
export function readCookie(ctx: Context, name: string): string | undefined {
  const header = ctx.get('Cookie');
  if (header === '') return undefined;
  for (const pair of header.split(';')) {
    const separator = pair.indexOf('=');
    if (separator !== -1 && pair.slice(0, separator).trim() === name) {
      return pair.slice(separator + 1).trim();
    }
  }
  return undefined;
}

/**
 * The Set-Cookie header value for a session cookie. `Secure` follows
 * `ctx.secure`, which (app.proxy) trusts the balancer's X-Forwarded-Proto:
 * browsers on https never send the cookie in clear, while plain-http lab
 * runs still work.
 */
export function sessionCookieHeader(ctx: Context, name: string, value: string): string {
  return `${name}=${value}; ${ATTRIBUTES}${ctx.secure ? '; Secure' : ''}`;
}

/**
 * Sets a Set-Cookie header value, replacing one this response already set
 * for the same cookie: a client must never get two conflicting values.
 */
export function putSetCookie(ctx: Context, name: string, header: string): void {
  const existing = ctx.response.get('Set-Cookie') as string | string[];
  const others = (Array.isArray(existing) ? existing : existing ? [existing] : []).filter(
    (cookie) => !cookie.startsWith(`${name}=`),
  );
  ctx.set('Set-Cookie', [...others, header]);
}

/** Tells the client to drop the cookie. */
export function clearCookie(ctx: Context, name: string): void {
  putSetCookie(ctx, name, `${name}=; ${EXPIRED}; ${ATTRIBUTES}${ctx.secure ? '; Secure' : ''}`);
}
