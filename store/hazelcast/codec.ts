import { StoreError } from '../errors.ts';
import type { SessionRecord } from '../session-store.ts';

/**
 * Sessions are stored as JSON strings: members need no Java class to hold
 * them, and two encodings of the same record are equal byte for byte, which
 * makes the IMap's `replaceIfSame` an exact compare-and-set on what was read.
 * Reads parse a fresh object, so callers never share state with the store.
 */
export function encodeSession(record: SessionRecord): string {
  const { id, user, createdAt, lastSeenAt, cart } = record;
  // Fixed key order: the same record always gives the same string.
  return JSON.stringify({
    id,
    user,
    createdAt,
    lastSeenAt,
    cart: { items: cart.items.map(({ sku, qty }) => ({ sku, qty })), version: cart.version },
  });
}

/** Parses a stored value; a value that is not a session is reported, never passed on. */
export function decodeSession(key: string, value: unknown): SessionRecord {
  let parsed: unknown;
  try {
    parsed = typeof value === 'string' ? JSON.parse(value) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!isSessionRecord(parsed) || parsed.id !== key) {
    throw new StoreError(
      'STORE_CORRUPT',
      `the value stored under session ${key.slice(0, 6)}… is not a session record`,
    );
  }
  return parsed;
}

function isSessionRecord(value: unknown): value is SessionRecord {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Partial<SessionRecord>;
  const cart = record.cart;
  return (
    typeof record.id === 'string' &&
    typeof record.user === 'string' &&
    typeof record.createdAt === 'number' &&
    typeof record.lastSeenAt === 'number' &&
    typeof cart === 'object' &&
    cart !== null &&
    Number.isInteger(cart.version) &&
    Array.isArray(cart.items) &&
    cart.items.every((item) => typeof item?.sku === 'string' && typeof item.qty === 'number')
  );
}
