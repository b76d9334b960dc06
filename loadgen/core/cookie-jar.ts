// The cookies of one simulated browser for the one site it talks to. The
// session strategies live in cookies (`sid`, the balancer's affinity cookie,
// the whole `sls` session), so the jar must do what a browser does: the last
// Set-Cookie to arrive wins, and an empty value or an expiry in the past
// removes the cookie. Path and Domain are ignored: there is one site, one path.

/** Cookies of one client, kept in arrival order of the Set-Cookie headers. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();
  // The Cookie header is built on every request; it changes far less often.
  #header: string | undefined;

  get size(): number {
    return this.#cookies.size;
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** Applies the Set-Cookie headers of one response, in order. */
  absorb(setCookie: readonly string[] | undefined, nowMs = Date.now()): void {
    if (!setCookie) return;
    for (const line of setCookie) this.#apply(line, nowMs);
  }

  /** The `Cookie` request header, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.#header === undefined && this.#cookies.size > 0) {
      let header = '';
      for (const [name, value] of this.#cookies) {
        header += header === '' ? `${name}=${value}` : `; ${name}=${value}`;
      }
      this.#header = header;
    }
    return this.#header;
  }

  clear(): void {
    this.#cookies.clear();
    this.#header = undefined;
  }

  #apply(line: string, nowMs: number): void {
    if (applySetCookie(this.#cookies, line, nowMs)) this.#header = undefined;
  }
}

/**
 * Applies one Set-Cookie line to `cookies` as a browser would: sets the
 * value, or removes the cookie when the value is empty or expired. Returns
 * false for a line without a name (RFC 6265 §5.2: ignored). Shared by every
 * client of the lab (load generator, probes, CLI demo).
 */
export function applySetCookie(
  cookies: Map<string, string>,
  line: string,
  nowMs = Date.now(),
): boolean {
  const [pair = '', ...attributes] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return false;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  if (name === '') return false;
  if (value === '' || expired(attributes, nowMs)) cookies.delete(name);
  else cookies.set(name, value);
  return true;
}

// Max-Age wins over Expires (RFC 6265 §5.3 step 3).
function expired(attributes: string[], nowMs: number): boolean {
  let expires: number | undefined;
  for (const attribute of attributes) {
    const eq = attribute.indexOf('=');
    if (eq === -1) continue;
    const key = attribute.slice(0, eq).trim().toLowerCase();
    const value = attribute.slice(eq + 1).trim();
    if (key === 'max-age') {
      const seconds = Number(value);
      if (/^-?\d+$/.test(value)) return seconds <= 0;
    } else if (key === 'expires') {
      const at = Date.parse(value);
      if (!Number.isNaN(at)) expires = at;
    }
  }
  return expires !== undefined && expires <= nowMs;
}
