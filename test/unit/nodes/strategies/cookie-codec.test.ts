import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CookieCodec } from '../../../../nodes/strategies/cookie-codec.ts';
import type { OpenResult } from '../../../../nodes/strategies/cookie-codec.ts';

const K1 = { id: 'k1', secret: randomBytes(32) };
const K2 = { id: 'k2', secret: randomBytes(32) };
const PLAINTEXT = Buffer.from('{"user":"alice","cart":{"items":[],"version":0}}');

function reasonOf(result: OpenResult): string {
  return result.ok ? 'opened' : result.reason;
}

describe('nodes/strategies/cookie-codec', () => {
  it('opens what it sealed, with the key id in clear and the content not', () => {
    const codec = new CookieCodec([K1], 'sls');
    const value = codec.seal(PLAINTEXT);
    assert.match(value, /^k1\.[A-Za-z0-9_-]+$/);
    assert.doesNotMatch(Buffer.from(value.slice(3), 'base64url').toString('latin1'), /alice/);
    const opened = codec.open(value);
    assert.ok(opened.ok);
    assert.deepEqual(opened.plaintext, PLAINTEXT);
  });

  it('uses a fresh IV each time: the same content never seals the same way', () => {
    const codec = new CookieCodec([K1], 'sls');
    assert.notEqual(codec.seal(PLAINTEXT), codec.seal(PLAINTEXT));
  });

  it('refuses every single changed character of a sealed value', () => {
    const codec = new CookieCodec([K1], 'sls');
    const value = codec.seal(PLAINTEXT);
    const accepted: number[] = [];
    // The key id, the dot, the IV, the ciphertext and the tag.
    for (let i = 0; i < value.length; i += 1) {
      const replacement = value[i] === 'A' ? 'B' : 'A';
      const tampered = value.slice(0, i) + replacement + value.slice(i + 1);
      if (codec.open(tampered).ok) accepted.push(i);
    }
    assert.deepEqual(accepted, [], 'positions whose change was accepted');
  });

  it('refuses a value whose last character differs only in spare bits (non-canonical base64url)', () => {
    const codec = new CookieCodec([K1], 'sls');
    // Seal until the encoding has spare bits in its last character.
    let value = codec.seal(PLAINTEXT);
    while (Buffer.from(value.slice(3), 'base64url').length % 3 === 0) value = codec.seal(PLAINTEXT);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(value.at(-1) ?? '');
    const twin = `${value.slice(0, -1)}${alphabet[last ^ 1]}`;
    assert.deepEqual(
      Buffer.from(twin.slice(3), 'base64url'),
      Buffer.from(value.slice(3), 'base64url'),
    );
    assert.equal(reasonOf(codec.open(twin)), 'malformed');
  });

  it('tells truncated, unknown-key and forged values apart', () => {
    const codec = new CookieCodec([K1], 'sls');
    const value = codec.seal(PLAINTEXT);
    assert.equal(reasonOf(codec.open(value.slice(0, 20))), 'malformed');
    assert.notEqual(reasonOf(codec.open(value.slice(0, -4))), 'opened');
    assert.equal(reasonOf(codec.open('')), 'malformed');
    assert.equal(reasonOf(codec.open('no-dot-at-all')), 'malformed');
    assert.equal(reasonOf(codec.open(`k1.${'A'.repeat(9000)}`)), 'malformed');
    assert.equal(reasonOf(codec.open(`k9${value.slice(2)}`)), 'unknown_key');
    // Relabelled with another known key id: the id is bound in the associated data.
    const both = new CookieCodec([K1, { id: 'k9', secret: K1.secret }], 'sls');
    assert.equal(reasonOf(both.open(`k9${value.slice(2)}`)), 'forged');
  });

  it('refuses a value sealed with another secret under the same key id', () => {
    const mine = new CookieCodec([K1], 'sls');
    const theirs = new CookieCodec([{ id: 'k1', secret: randomBytes(32) }], 'sls');
    assert.equal(reasonOf(mine.open(theirs.seal(PLAINTEXT))), 'forged');
  });

  it('binds the cookie name: a value sealed for one cookie does not open as another', () => {
    const value = new CookieCodec([K1], 'sls').seal(PLAINTEXT);
    assert.equal(reasonOf(new CookieCodec([K1], 'other').open(value)), 'forged');
  });

  it('rotates: the first key seals, older keys still open', () => {
    const old = new CookieCodec([K1], 'sls').seal(PLAINTEXT);
    const rotated = new CookieCodec([K2, K1], 'sls');
    assert.ok(rotated.open(old).ok);
    assert.match(rotated.seal(PLAINTEXT), /^k2\./);
    assert.equal(reasonOf(new CookieCodec([K2], 'sls').open(old)), 'unknown_key');
  });

  it('refuses bad keys at construction', () => {
    assert.throws(() => new CookieCodec([], 'sls'), /at least one key/);
    assert.throws(
      () => new CookieCodec([{ id: 'k1', secret: randomBytes(16) }], 'sls'),
      /32 bytes/,
    );
    assert.throws(() => new CookieCodec([K1, K1], 'sls'), /ids must differ/);
    assert.throws(() => new CookieCodec([{ id: 'a.b', secret: K1.secret }], 'sls'), /bad key id/);
  });
});
