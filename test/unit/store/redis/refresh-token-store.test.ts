import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  hashRefreshToken,
  newRefreshToken,
  RefreshTokenStore,
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
