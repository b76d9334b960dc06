import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A key of the cookie strategy: `id` travels in the cookie, `secret` is 32 bytes. */
export interface CookieKey {
  id: string;
  secret: Buffer;
}

/** Why a cookie did not open; `forged` covers a changed byte and a wrong secret alike. */
export type OpenFailure = 'malformed' | 'unknown_key' | 'forged';

export type OpenResult = { ok: true; plaintext: Buffer } | { ok: false; reason: OpenFailure };

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,16}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
// Far above what a browser keeps (4096 per cookie); bounds the work on junk.
const MAX_VALUE_CHARS = 8192;

/**
 * Seals and opens cookie values with AES-256-GCM: `<key id>.<base64url(iv ‖
 * ciphertext ‖ tag)>`. The key id is in clear so a cookie sealed by an older
 * key still opens after a rotation. The associated data binds the cookie
 * name and the key id, so a value cannot be replayed under another cookie
 * name or relabelled with another key. A fresh random 96-bit IV per seal:
 * the node seals far fewer than the 2^32 values NIST allows per key.
 */
export class CookieCodec {
  readonly #sealing: CookieKey;
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #cookieName: string;

  /** The first key seals; every key opens. */
  constructor(keys: readonly CookieKey[], cookieName: string) {
    const [first] = keys;
    if (!first) throw new TypeError('CookieCodec: pass at least one key');
    for (const key of keys) {
      if (!KEY_ID.test(key.id)) throw new TypeError(`CookieCodec: bad key id "${key.id}"`);
      if (key.secret.length !== 32) {
        throw new TypeError(`CookieCodec: key ${key.id} must be 32 bytes`);
      }
    }
    this.#sealing = first;
    this.#keys = new Map(keys.map((key) => [key.id, key.secret]));
    if (this.#keys.size !== keys.length) throw new TypeError('CookieCodec: key ids must differ');
    this.#cookieName = cookieName;
  }

  seal(plaintext: Buffer): string {
    const { id, secret } = this.#sealing;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, secret, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(this.#aad(id));
    const sealed = Buffer.concat([
      iv,
      cipher.update(plaintext),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return `${id}.${sealed.toString('base64url')}`;
  }

  open(value: string): OpenResult {
    const dot = value.indexOf('.');
    const id = value.slice(0, dot);
    const body = value.slice(dot + 1);
    if (value.length > MAX_VALUE_CHARS || dot < 1 || !KEY_ID.test(id) || !BASE64URL.test(body)) {
      return { ok: false, reason: 'malformed' };
    }
    const secret = this.#keys.get(id);
    if (!secret) return { ok: false, reason: 'unknown_key' };
    const sealed = Buffer.from(body, 'base64url');
    // Truncated (not even an IV, a tag and one byte), or not canonical: the
    // spare bits of a last character must be zero, or a changed character
    // would decode to the same bytes and a tampered value would be accepted.
    if (sealed.length < IV_BYTES + TAG_BYTES + 1 || sealed.toString('base64url') !== body) {
      return { ok: false, reason: 'malformed' };
    }
    const decipher = createDecipheriv(ALGORITHM, secret, sealed.subarray(0, IV_BYTES), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(this.#aad(id));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    try {
      const ciphertext = sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES);
      return {
        ok: true,
        plaintext: Buffer.concat([decipher.update(ciphertext), decipher.final()]),
      };
    } catch {
      // final() throws when the tag does not match: a changed byte or another secret.
      return { ok: false, reason: 'forged' };
    }
  }

  #aad(keyId: string): Buffer {
    return Buffer.from(`session-lab/v1\0${this.#cookieName}\0${keyId}`, 'utf8');
  }
}
