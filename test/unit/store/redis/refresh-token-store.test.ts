import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  hashRefreshToken,
  newRefreshToken,
  RefreshTokenStore,
  successorToken,
} from '../../../../store/redis/refresh-token-store.ts';
import { StoreOptionError, StoreUnavailableError } from '../../../../store/errors.ts';

describe('refresh tokens (no Redis)', () => {
  it('are 256 random bits in base64url, never repeated', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newRefreshToken));
    assert.equal(tokens.size, 1000);
    for (const token of tokens) {
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(token, 'base64url').length, 32);
    }
  });

  it('are stored as their SHA-256, which does not contain the token', () => {
    const token = newRefreshToken();
    const hashed = hashRefreshToken(token);
    assert.equal(hashed, createHash('sha256').update(token).digest('base64url'));
    assert.notEqual(hashed, token);
    assert.ok(!hashed.includes(token.slice(0, 8)));
  });

  it('derive a grace-window successor only from the preceding token and the salt', () => {
    const token = newRefreshToken();
    const salt = 'c2FsdC1vZi1zaXh0ZWVu';
    const successor = successorToken(token, salt);
    // Another node deriving it again gets the same token: that is what a retry receives.
    assert.equal(successorToken(token, salt), successor);
    assert.match(successor, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(successor, token);
    // Another salt or another token: another successor; the salt alone (in Redis) is not enough.
    assert.notEqual(successorToken(token, `${salt}x`), successor);
    assert.notEqual(successorToken(newRefreshToken(), salt), successor);
  });

  it('refuses a grace window that is negative, fractional or not below the token lifetime', () => {
    for (const reuseGraceMs of [-1, 0.5, 60_000, 90_000, Number.NaN]) {
      assert.throws(
        () => new RefreshTokenStore({ url: 'redis://127.0.0.1:1', ttlSeconds: 60, reuseGraceMs }),
        /reuseGraceMs must be a whole number/,
      );
    }
    const store = new RefreshTokenStore({
      url: 'redis://127.0.0.1:1',
      ttlSeconds: 60,
      reuseGraceMs: 59_999,
    });
    assert.equal(store.reuseGraceMs, 59_999);
    assert.equal(
      new RefreshTokenStore({ url: 'redis://127.0.0.1:1', ttlSeconds: 60 }).reuseGraceMs,
      0,
    );
  });

  it('refuses a bad ttl at construction', () => {
    for (const ttlSeconds of [0, -1, 1.5, Number.NaN]) {
      assert.throws(
        () => new RefreshTokenStore({ url: 'redis://127.0.0.1:1', ttlSeconds }),
        StoreOptionError,
      );
    }
  });

  it('refuses a malformed token without a Redis round trip', async () => {
    // Nothing listens on port 1: any round trip would fail as unavailable.
    const store = new RefreshTokenStore({ url: 'redis://127.0.0.1:1', ttlSeconds: 60 });
    try {
      for (const token of ['', 'short', 'x'.repeat(44), `${'a'.repeat(42)}*`]) {
        assert.deepEqual(await store.rotate(token, Date.now()), { outcome: 'unknown' });
      }
      const { refreshes, unknown, roundTrips, commands } = store.stats();
      assert.deepEqual(
        { refreshes, unknown, roundTrips, commands },
        {
          refreshes: 4,
          unknown: 4,
          roundTrips: 0,
          commands: 0,
        },
      );
      await assert.rejects(store.rotate(newRefreshToken(), Date.now()), StoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});
