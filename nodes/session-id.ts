import { randomBytes } from 'node:crypto';

// 256 random bits: unguessable, and 43 base64url characters exactly.
const ID_BYTES = 32;
const ID_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A fresh, unguessable session id (256 bits from the CSPRNG, base64url). */
export function newSessionId(): string {
  return randomBytes(ID_BYTES).toString('base64url');
}

/**
 * Whether a client-sent value could be an id this node issued. Anything else
 * (wrong length, wrong characters, huge) is treated as no session without
 * ever reaching the store.
 */
export function isWellFormedSessionId(value: string): boolean {
  return ID_PATTERN.test(value);
}
