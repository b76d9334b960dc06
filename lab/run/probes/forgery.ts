import type { ProbeClient } from './probe-client.ts';

/** A credential a client could make up, and the client that sends it. */
export interface Forgery {
  /** What was changed, for the report (`tag byte flipped`, `alg none`). */
  kind: string;
  client: ProbeClient;
}

/** A copy of `victim` (so sticky affinity still routes to its node) with one cookie replaced. */
export function withCookie(victim: ProbeClient, name: string, value: string): ProbeClient {
  const client = victim.copy();
  client.cookies.set(name, value);
  return client;
}

/** A copy of `victim` whose bearer token is replaced. */
export function withBearer(victim: ProbeClient, token: string): ProbeClient {
  const client = victim.copy();
  client.bearer = token;
  return client;
}

/** Another base64url character at `index`: a one-character change that stays well-formed. */
export function changeCharacter(text: string, index: number): string {
  const replacement = text[index] === 'A' ? 'B' : 'A';
  return text.slice(0, index) + replacement + text.slice(index + 1);
}
