import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { ZodError } from 'zod';
import { freePort } from '../../../lab/process/ports.ts';
import { RedisServer } from '../../../lab/services/redis-server.ts';
import { ConfigError } from '../../../nodes/config.ts';
import {
  createJwtStrategy,
  generateSigningKeys,
  JwtStrategyConfigSchema,
} from '../../../nodes/strategies/jwt/index.ts';
import type { SigningKeysConfig } from '../../../nodes/strategies/jwt/index.ts';
import { StoreOptionError, StoreUnavailableError } from '../../../store/errors.ts';
import { errorCode, login, startJwtNode } from './jwt-harness.ts';
import type { JwtNode } from './jwt-harness.ts';

describe('jwt strategy: bearer transport and user carts against a real redis-server', function () {
  this.timeout(20000);
  let root: string;
  let server: RedisServer;
  let keys: SigningKeysConfig;
  const nodes: JwtNode[] = [];
  let users = 0;

  async function node(jwt: Record<string, unknown> = {}, clock?: { now: number }) {
    const started = await startJwtNode(
      { jwt: { keys, ...jwt }, redis: { url: server.url } },
      clock,
    );
    nodes.push(started);
    return started;
  }

  const newUser = () => `cart-user-${(users += 1)}`;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'jwt-strategy-it-'));
    server = await RedisServer.start({ dir: path.join(root, 'redis'), detached: false });
    keys = await generateSigningKeys();
  });

  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((each) => each.close()));
  });

  after(async () => {
    await server?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  describe('Authorization: Bearer', () => {
    it('no credentials: 401 NO_SESSION with a bare Bearer challenge (RFC 6750 §3)', async () => {
      const a = await node();
      for (const headers of [{}, { authorization: 'Basic YWxpY2U6c2VjcmV0' }]) {
        const response = await fetch(`${a.url}/me`, { headers });
        assert.equal(response.status, 401);
        assert.equal(response.headers.get('www-authenticate'), 'Bearer realm="session-lab"');
        assert.equal(await errorCode(response), 'NO_SESSION');
      }
    });

    it('a token in a cookie is not a credential', async () => {
      const a = await node();
      const { accessToken } = await login(a, newUser());
      const response = await fetch(`${a.url}/me`, { headers: { cookie: `access=${accessToken}` } });
      assert.equal(response.status, 401);
    });

    it('malformed, forged or foreign tokens: 401 NO_SESSION, error="invalid_token"', async () => {
      const a = await node();
      const { accessToken } = await login(a, newUser());
      const [h, p, s] = accessToken.split('.') as [string, string, string];
      const foreign = await startJwtNode({
        jwt: { keys: await generateSigningKeys() },
        redis: { url: server.url },
      });
      nodes.push(foreign);
      const candidates = [
        'Bearer',
        'Bearer ',
        'Bearer a b',
        `Bearer ${h}.${Buffer.from('{"sub":"root"}').toString('base64url')}.${s}`,
        `Bearer ${h}.${p}.`,
        `Bearer ${(await login(foreign, 'alice')).accessToken}`,
      ];
      for (const authorization of candidates) {
        const response = await fetch(`${a.url}/me`, { headers: { authorization } });
        assert.equal(response.status, 401, authorization);
        assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
        assert.equal(await errorCode(response), 'NO_SESSION');
      }
    });

    it('an expired token: 401 SESSION_EXPIRED; a refresh brings the session back', async () => {
      const clock = { now: Date.now() };
      const a = await node({ accessTtlSeconds: 30 }, clock);
      const user = newUser();
      const pair = await login(a, user);
      clock.now += 36_000; // lifetime + skew + the floored second
      const expired = await a.fetch('/me', { token: pair.accessToken });
      assert.equal(expired.status, 401);
      assert.match(expired.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
      assert.equal(await errorCode(expired), 'SESSION_EXPIRED');
      const refreshed = await a.fetch('/auth/refresh', {
        body: { refreshToken: pair.refreshToken },
      });
      const { accessToken } = (await refreshed.json()) as { accessToken: string };
      const me = await a.fetch('/me', { token: accessToken });
      const body = (await me.json()) as { user: string; sessionAgeMs: number };
      assert.equal(body.user, user);
      // The session (family) age counts from the login, not from the refresh.
      assert.ok(
        body.sessionAgeMs >= 36_000 && body.sessionAgeMs < 38_000,
        String(body.sessionAgeMs),
      );
    });

    it('a token issued by one node is accepted by another with the same keys', async () => {
      const a = await node();
      const b = await node();
      const user = newUser();
      const { accessToken } = await login(a, user);
      const me = await b.fetch('/me', { token: accessToken });
      assert.equal(((await me.json()) as { user: string }).user, user);
    });
  });

  describe('user-keyed cart', () => {
    it('reads an empty cart without writing; the first write creates it at version 1', async () => {
      const a = await node();
      const user = newUser();
      const { accessToken } = await login(a, user);
      assert.deepEqual(await (await a.fetch('/cart', { token: accessToken })).json(), {
        items: [],
        version: 0,
      });
      const redis = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
      await redis.connect();
      try {
        assert.equal(await redis.exists(`sl:cart:${user}`), 0);
        const added = await a.fetch('/cart/items', {
          token: accessToken,
          body: { sku: 'a', qty: 2 },
        });
        assert.deepEqual(await added.json(), { items: [{ sku: 'a', qty: 2 }], version: 1 });
        assert.equal(await redis.exists(`sl:cart:${user}`), 1);
      } finally {
        await redis.quit();
      }
    });

    it('a cart that is only read keeps its idle TTL sliding', async () => {
      // refreshTtlSeconds is also the carts' idle TTL: 120 s here.
      const a = await node({ refreshTtlSeconds: 120 });
      const user = newUser();
      const { accessToken } = await login(a, user);
      await (
        await a.fetch('/cart/items', { token: accessToken, body: { sku: 'r', qty: 1 } })
      ).text();
      const redis = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
      await redis.connect();
      try {
        const key = `sl:cart:${user}`;
        // As if the cart had been idle for all but 2 s of its TTL.
        await redis.pexpire(key, 2000);
        const read = (await (await a.fetch('/cart', { token: accessToken })).json()) as {
          version: number;
        };
        assert.equal(read.version, 1, 'the read changes nothing in the cart');
        const ttl = await redis.pttl(key);
        assert.ok(ttl > 110_000 && ttl <= 120_000, `TTL after a read: ${ttl} ms`);
        // GET /me loads the session too: it slides the TTL the same way.
        await redis.pexpire(key, 2000);
        assert.equal((await a.fetch('/me', { token: accessToken })).status, 200);
        assert.ok((await redis.pttl(key)) > 110_000);
      } finally {
        await redis.quit();
      }
    });

    it('concurrent writes on two nodes all land, version +1 each', async () => {
      const a = await node();
      const b = await node();
      const { accessToken } = await login(a, newUser());
      const writes = Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? a : b).fetch('/cart/items', {
          token: accessToken,
          body: { sku: `s${i % 3}`, qty: 1 },
        }),
      );
      const statuses = await Promise.all(
        writes.map(async (write) => {
          const response = await write;
          await response.body?.cancel();
          return response.status;
        }),
      );
      assert.deepEqual(new Set(statuses), new Set([200]));
      const cart = (await (await a.fetch('/cart', { token: accessToken })).json()) as {
        items: { qty: number }[];
        version: number;
      };
      assert.equal(cart.version, 20);
      assert.equal(
        cart.items.reduce((sum, item) => sum + item.qty, 0),
        20,
      );
    });

    it('belongs to the user, not the login: a second login sees the same cart', async () => {
      const a = await node();
      const user = newUser();
      const first = await login(a, user);
      await (
        await a.fetch('/cart/items', { token: first.accessToken, body: { sku: 'x', qty: 1 } })
      ).text();
      const second = await login(a, user);
      const cart = (await (await a.fetch('/cart', { token: second.accessToken })).json()) as {
        version: number;
      };
      assert.equal(cart.version, 1);
    });
  });

  describe('lifecycle and configuration', () => {
    it('names its variant after the algorithm and access lifetime', async () => {
      const a = await node({ accessTtlSeconds: 15 });
      assert.equal(a.strategy.name, 'jwt');
      assert.equal(a.strategy.variant, 'ES256-15s');
    });

    it('ready() fails fast with StoreUnavailableError when Redis is unreachable', async () => {
      const url = `redis://127.0.0.1:${await freePort()}`;
      const strategy = await createJwtStrategy({ jwt: { keys }, redis: { url } }, { nodeId: 'n' });
      try {
        const started = Date.now();
        await assert.rejects(strategy.ready(), StoreUnavailableError);
        assert.ok(Date.now() - started < 3000);
      } finally {
        await strategy.close();
        await strategy.close(); // idempotent
      }
    });

    it('refuses bad configuration at once', async () => {
      const redis = { url: server.url };
      const other = await generateSigningKeys();
      assert.ok(other.alg === 'ES256' && keys.alg === 'ES256');
      const mismatched = { ...keys, publicJwk: other.publicJwk };
      await assert.rejects(
        createJwtStrategy({ jwt: { keys: mismatched }, redis }, { nodeId: 'n' }),
        ConfigError,
      );
      await assert.rejects(
        createJwtStrategy({ jwt: { keys }, redis: { url: 'http://x' } }, { nodeId: 'n' }),
        StoreOptionError,
      );
      const bad = [
        {},
        { keys, accessTtlSeconds: 0 },
        { keys, accessTtlSeconds: 120, refreshTtlSeconds: 60 },
        { keys, clockSkewSeconds: -1 },
        { keys, accesTtlSeconds: 30 },
        { keys, refreshReuseGraceSeconds: -1 },
        { keys, refreshReuseGraceSeconds: 61 },
        { keys, refreshReuseGraceSeconds: 1.5 },
        { keys, refreshTtlSeconds: 60, refreshReuseGraceSeconds: 60 },
      ];
      for (const jwt of bad) assert.throws(() => JwtStrategyConfigSchema.parse(jwt), ZodError);
      assert.deepEqual(
        { ...JwtStrategyConfigSchema.parse({ keys }), keys: undefined },
        {
          keys: undefined,
          issuer: 'session-lab',
          audience: 'session-lab-api',
          accessTtlSeconds: 60,
          refreshTtlSeconds: 86_400,
          clockSkewSeconds: 5,
          refreshReuseGraceSeconds: 30,
        },
      );
    });
  });
});
