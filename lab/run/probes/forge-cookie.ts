import { SESSION_STATE_COOKIE } from '../../../nodes/strategies/cookie-strategy.ts';
import { LabError } from '../../errors.ts';
import { withCookie, type Forgery } from './forgery.ts';
import type { ProbeClient } from './probe-client.ts';

// The layout CookieCodec seals: `<key id>.<base64url(iv ‖ ciphertext ‖ tag)>`.
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface Sealed {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

function parseSealed(client: ProbeClient, who: string): Sealed {
  const value = client.cookies.get(SESSION_STATE_COOKIE) ?? '';
  const dot = value.indexOf('.');
  const raw = Buffer.from(value.slice(dot + 1), 'base64url');
  if (dot < 1 || raw.length <= IV_BYTES + TAG_BYTES) {
    throw new LabError(
      'PROBE_UNEXPECTED_ANSWER',
      `the ${who}'s login set no sealed ${SESSION_STATE_COOKIE} cookie`,
    );
  }
  return {
    keyId: value.slice(0, dot),
    iv: raw.subarray(0, IV_BYTES),
    ciphertext: raw.subarray(IV_BYTES, raw.length - TAG_BYTES),
    tag: raw.subarray(raw.length - TAG_BYTES),
  };
}

function seal(keyId: string, ...parts: Buffer[]): string {
  return `${keyId}.${Buffer.concat(parts).toString('base64url')}`;
}

function flipped(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}

/**
 * Cookie values a client could build from its own sealed cookie and another
 * user's: changed bytes in each part, cut or extended values, pieces of two
 * cookies spliced, the user name patched in the ciphertext (AES-GCM is a
 * stream cipher underneath: only the tag stops this), another key id, and an
 * unsealed session. `victimUser` is the victim's name, which the attacker
 * knows: the plaintext starts `{"user":"<name>"`.
 */
export function forgeCookies(
  victim: ProbeClient,
  other: ProbeClient,
  victimUser: string,
): Forgery[] {
  const mine = parseSealed(victim, 'victim');
  const theirs = parseSealed(other, 'second user');
  const { keyId, iv, ciphertext, tag } = mine;
  // Same length as the victim's name, so every other byte stays where it was.
  const target = 'admin'.padEnd(victimUser.length, '0').slice(0, victimUser.length);
  const patched = Buffer.from(ciphertext);
  const nameAt = Buffer.byteLength('{"user":"');
  for (let i = 0; i < victimUser.length; i += 1) {
    patched[nameAt + i] = patched[nameAt + i]! ^ victimUser.charCodeAt(i) ^ target.charCodeAt(i);
  }
  const now = Date.now();
  const unsealed = JSON.stringify({
    user: 'admin',
    createdAt: now,
    lastSeenAt: now,
    cart: { items: [], version: 0 },
  });
  const variants: [string, string][] = [
    ['IV byte flipped', seal(keyId, flipped(iv, 0), ciphertext, tag)],
    ['ciphertext byte flipped', seal(keyId, iv, flipped(ciphertext, 0), tag)],
    ['tag byte flipped', seal(keyId, iv, ciphertext, flipped(tag, TAG_BYTES - 1))],
    ['truncated by 8 bytes', seal(keyId, iv, ciphertext, tag.subarray(0, TAG_BYTES - 8))],
    ['extended by 8 bytes', seal(keyId, iv, ciphertext, tag, Buffer.alloc(8))],
    ['user name patched in the ciphertext', seal(keyId, iv, patched, tag)],
    ["another user's IV spliced in", seal(keyId, theirs.iv, ciphertext, tag)],
    ["another user's tag spliced in", seal(keyId, iv, ciphertext, theirs.tag)],
    ['unknown key id', seal(keyId === 'k9' ? 'k8' : 'k9', iv, ciphertext, tag)],
    ['unsealed JSON session', `${keyId}.${Buffer.from(unsealed).toString('base64url')}`],
    ['empty value', ''],
  ];
  return variants.map(([kind, value]) => ({
    kind,
    client: withCookie(victim, SESSION_STATE_COOKIE, value),
  }));
}
