// One abuse case: raw bytes sent to a balancer, and the answer the lab
// balancer must give. Strings may hold placeholders the runner fills per
// balancer: `{p}` a path prefix naming the case (`/abuse-L12`), `{tag}` the
// bare tag (`L12`). Any request the client does NOT mean as a request (a
// smuggling payload inside a body or header) targets `{p}/SMUGGLED`: the
// backend must never parse one.
import type { Piece } from '../../unit/balancer/raw-client.ts';

export const categories = [
  'framing',
  'chunked',
  'pipelining',
  'header syntax',
  'targets',
  'methods',
  'connection header',
  'expect',
  'upgrade',
  'slow/partial',
  'trailer',
  'upstream',
] as const;
export type Category = (typeof categories)[number];

/**
 * An answer as status classes of the final responses in order (`2xx`,
 * `4xx,2xx`), or `none` when the connection ended without one.
 */
export type Outcome = string;

export interface AbuseCase {
  readonly category: Category;
  readonly name: string;
  readonly pieces: readonly Piece[];
  /** Outcomes the lab balancer may give; the first is the expected one. */
  readonly expect: readonly Outcome[];
  /** Final responses to wait for before the short settle time (default 1). */
  readonly responses?: number;
  readonly head?: boolean;
  /**
   * HAProxy refuses this for a size limit, not as malformed: the lab balancer
   * may forward what HAProxy refused.
   */
  readonly limit?: boolean;
  /** Upstream faults: a retried request reaches the backend more than once. */
  readonly retries?: boolean;
  /** How long to wait for the whole exchange (default 1500 ms). */
  readonly timeoutMs?: number;
}

/** A request head with Host and the X-Case tag, then `extra` header lines as given. */
export function head(method: string, target: string, extra: readonly string[] = []): string {
  return `${method} ${target} HTTP/1.1\r\nHost: lab.test\r\nX-Case: {tag}\r\n${extra.map((h) => `${h}\r\n`).join('')}\r\n`;
}

/** A complete GET the backend may legitimately see. */
export const plainGet = (path = '{p}/next'): string => head('GET', path);

/** A request that must never reach the backend as a request of its own. */
export const smuggled = `GET {p}/SMUGGLED HTTP/1.1\r\nHost: lab.test\r\n\r\n`;

/** Fills the placeholders for one balancer's run of a case. */
export function fill(piece: Piece, tag: string): Piece {
  if (typeof piece !== 'string') return piece;
  return piece.replaceAll('{p}', `/abuse-${tag}`).replaceAll('{tag}', tag);
}

export function classOf(status: number): string {
  return `${Math.floor(status / 100)}xx`;
}
