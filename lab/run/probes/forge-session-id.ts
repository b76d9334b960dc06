import { randomBytes } from 'node:crypto';
import { SESSION_COOKIE } from '../../../nodes/strategies/server-session-strategy.ts';
import { LabError } from '../../errors.ts';
import { changeCharacter, withCookie, type Forgery } from './forgery.ts';
import type { ProbeClient } from './probe-client.ts';

function swapCase(text: string): string {
  return [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');
}

/**
 * Session ids (sticky, redis, clustered) a client could make up from its own:
 * an id never issued, and the real one changed, cut or extended. Each keeps
 * the victim's other cookies, so sticky affinity sends it to the node that
 * holds the real session.
 */
export function forgeSessionIds(victim: ProbeClient): Forgery[] {
  const id = victim.cookies.get(SESSION_COOKIE);
  if (id === undefined) {
    throw new LabError('PROBE_UNEXPECTED_ANSWER', `login set no ${SESSION_COOKIE} cookie`);
  }
  const variants: [string, string][] = [
    ['unissued random id', randomBytes(32).toString('base64url')],
    ['real id, one middle character changed', changeCharacter(id, Math.floor(id.length / 2))],
    ['real id, last character changed', changeCharacter(id, id.length - 1)],
    ['real id, letter case swapped', swapCase(id)],
    ['real id, last character cut', id.slice(0, -1)],
    ['real id, one character appended', `${id}A`],
    ['empty id', ''],
  ];
  return variants.map(([kind, value]) => ({
    kind,
    client: withCookie(victim, SESSION_COOKIE, value),
  }));
}
