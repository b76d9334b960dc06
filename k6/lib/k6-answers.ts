// What k6 says about a request, in the terms the shared user reads: its
// error codes as the Node codes error-kinds.ts sorts, and its parsed
// response cookies back as Set-Cookie lines for the user's jar. Plain
// TypeScript with no k6 import, so Node's tests check it.

/** k6's error codes (its "Error codes" reference) for the failures the lab names. */
const NODE_CODES: Readonly<Record<number, string>> = {
  1050: 'timeout', // the request timed out
  1201: 'EPIPE', // broken pipe on write
  1212: 'ECONNREFUSED', // connection refused
  1220: 'ECONNRESET', // reset by peer on read
};

/** The code a request without an answer is counted under: Node's name, or `k6-<code>` (kind `network`). */
export function failureCode(errorCode: number): string {
  return NODE_CODES[errorCode] ?? `k6-${errorCode}`;
}

/** The fields of k6's ResponseCookie the jar needs. */
export interface K6Cookie {
  name: string;
  value: string;
  /** Go's reading of the header: < 0 means Max-Age=0 (remove now), 0 means none given. */
  maxAge: number;
  /** ms since the epoch; 0 (or less) when none was given. */
  expires: number;
}

/** One parsed cookie back as the Set-Cookie line the jar reads. */
export function setCookieLine(cookie: K6Cookie): string {
  let line = `${cookie.name}=${cookie.value}`;
  if (cookie.maxAge < 0) line += '; Max-Age=0';
  else if (cookie.maxAge > 0) line += `; Max-Age=${cookie.maxAge}`;
  if (cookie.expires > 0) line += `; Expires=${new Date(cookie.expires).toUTCString()}`;
  return line;
}
