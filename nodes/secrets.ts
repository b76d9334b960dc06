import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a client-sent secret with the configured one in constant time.
 * Hashing first gives both sides the same length, so neither the content
 * nor the length of the configured secret leaks through timing.
 */
export function secretMatches(candidate: string, expected: string): boolean {
  return timingSafeEqual(sha256(candidate), sha256(expected));
}

function sha256(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
