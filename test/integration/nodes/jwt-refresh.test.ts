import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { RedisServer } from '../../../lab/services/redis-server.ts';
import { generateSigningKeys } from '../../../nodes/strategies/jwt/index.ts';
import type { SigningKeysConfig } from '../../../nodes/strategies/jwt/index.ts';
import { hashRefreshToken } from '../../../store/redis/refresh-token-store.ts';
import { counted, errorCode, login, startJwtNode } from './jwt-harness.ts';
import type { JwtNode, TokenPair } from './jwt-harness.ts';

describe('jwt strategy: refresh tokens against a real redis-server', function () {
  this.timeout(20000);
  let root: string;
  let server: RedisServer;
  let keys: SigningKeysConfig;
  const nodes: JwtNode[] = [];
  let users = 0;

  async function node(
    jwt: Record<string, unknown> = {},
    clock?: { now: number },
    absoluteTimeoutMs?: number,
  ) {
    const started = await startJwtNode(
      { jwt: { keys, ...jwt }, redis: { url: server.url } },
      clock,
      absoluteTimeoutMs,
    );
    nodes.push(started);
    return started;
  }

  const STRICT = { refreshReuseGraceSeconds: 0 };

  // A user name of its own per test: carts and counts do not mix.
  const newUser = () => `user-${(users += 1)}`;

  function refresh(on: JwtNode, refreshToken: string) {
    return on.fetch('/auth/refresh', { body: { refreshToken } });
  }

  async function rotated(on: JwtNode, refreshToken: string): Promise<TokenPair> {
    const response = await refresh(on, refreshToken);
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as TokenPair;
  }

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'jwt-refresh-it-'));
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

  it('login returns an access token, an opaque refresh token and expiresIn, uncached', async () => {
    const a = await node();
    const response = await a.fetch('/login', { body: { user: newUser() } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = (await response.json()) as TokenPair;
    assert.match(body.accessToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.match(body.refreshToken, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(body.expiresIn, 60);
    assert.equal((await a.fetch('/me', { token: body.accessToken })).status, 200);
  });

  it('strict rotation (grace 0): a new pair on any node; the old refresh token stops working', async () => {
    const a = await node(STRICT);
    const b = await node(STRICT);
    const user = newUser();
    const first = await login(a, user);
    const second = await rotated(b, first.refreshToken);
    assert.notEqual(second.refreshToken, first.refreshToken);
    assert.notEqual(second.accessToken, first.accessToken);
    const me = await a.fetch('/me', { token: second.accessToken });
    assert.deepEqual(((await me.json()) as { user: string }).user, user);
    const again = await refresh(a, first.refreshToken);
    assert.equal(again.status, 401);
    assert.equal(await errorCode(again), 'REFRESH_REUSED');
  });

  it('a token older than the preceding one revokes its family, grace window or not (C14)', async () => {
    const a = await node();
    assert.equal(a.strategy.refreshReuseGraceMs, 30_000, 'the default window is on');
    const stolen = await login(a, newUser());
    const owner = await rotated(a, stolen.refreshToken);
    const newest = await rotated(a, owner.refreshToken);

    const replay = await refresh(a, stolen.refreshToken);
    assert.equal(replay.status, 401);
    const { error } = (await replay.json()) as { error: { code: string; message: string } };
    assert.equal(error.code, 'REFRESH_REUSED');
    assert.match(error.message, /reuse detected/);

    const afterwards = await refresh(a, newest.refreshToken);
    assert.equal(afterwards.status, 401);
    assert.match(await afterwards.text(), /revoked/);
    assert.deepEqual(
      { reused: a.strategy.refreshStats().reused, revoked: a.strategy.refreshStats().revoked },
      { reused: 1, revoked: 1 },
    );
    const reason = { reason: 'refresh_reuse' };
    assert.equal(await counted(a.metrics.sessionsDestroyed, reason), 1);
  });

  it('strict rotation (grace 0): of concurrent refreshes with one token exactly one succeeds', async () => {
    const a = await node(STRICT);
    const b = await node(STRICT);
    for (let round = 0; round < 10; round += 1) {
      const { refreshToken } = await login(a, newUser());
      const racers = Array.from({ length: 8 }, (_, i) => refresh(i % 2 ? a : b, refreshToken));
      const responses = await Promise.all(racers);
      const winners = responses.filter((response) => response.status === 200);
      assert.equal(winners.length, 1, `round ${round}: ${winners.length} refreshes succeeded`);
      assert.ok(responses.every((response) => response.status === 200 || response.status === 401));
      // Strict rotation: the losers look like a replay, so the winner's family is revoked too.
      const won = (await winners[0]!.json()) as TokenPair;
      assert.equal((await refresh(a, won.refreshToken)).status, 401);
      const losers = responses.filter((response) => response !== winners[0]);
      // The first loser is the detected replay; later ones find the family revoked.
      const codes = await Promise.all(losers.map(errorCode));
      assert.ok(codes.includes('REFRESH_REUSED'), codes.join(','));
      assert.ok(codes.every((code) => code === 'REFRESH_REUSED' || code === 'NO_SESSION'));
    }
  });

  describe('reuse grace window (a retry after a lost refresh answer)', () => {
    it('within the window the preceding token gets the same successor, on any node', async () => {
      const clock = { now: Date.now() };
      const a = await node({}, clock);
      const b = await node({}, clock);
      const user = newUser();
      const first = await login(a, user);
      const lost = await rotated(a, first.refreshToken);
      clock.now += 29_000;
      const retried = await rotated(b, first.refreshToken);
      assert.equal(retried.refreshToken, lost.refreshToken, 'the successor already issued');
      const me = await b.fetch('/me', { token: retried.accessToken });
      assert.equal(((await me.json()) as { user: string }).user, user);
      assert.equal(b.strategy.refreshStats().grace, 1);
      assert.equal(await counted(b.metrics.refreshReuse, { outcome: 'grace' }), 1);
      assert.equal(await counted(b.metrics.refreshReuse, { outcome: 'detected' }), 0);
      assert.equal(await counted(b.metrics.sessionsDestroyed, { reason: 'refresh_reuse' }), 0);
      // The chain goes on from the successor; the family was not revoked.
      const next = await rotated(a, retried.refreshToken);
      assert.notEqual(next.refreshToken, retried.refreshToken);
    });

    it('after the window a reuse of the preceding token revokes the family', async () => {
      const clock = { now: Date.now() };
      const a = await node({ refreshReuseGraceSeconds: 10 }, clock);
      const first = await login(a, newUser());
      const second = await rotated(a, first.refreshToken);
      clock.now += 10_000;
      const late = await refresh(a, first.refreshToken);
      assert.equal(late.status, 401);
      assert.equal(await errorCode(late), 'REFRESH_REUSED');
      const newest = await refresh(a, second.refreshToken);
      assert.equal(newest.status, 401, 'the successor is revoked with its family');
      assert.equal(await errorCode(newest), 'NO_SESSION');
      assert.equal(await counted(a.metrics.refreshReuse, { outcome: 'detected' }), 1);
      assert.equal(await counted(a.metrics.refreshReuse, { outcome: 'grace' }), 0);
    });

    it('once the successor has rotated, the preceding token is older and revokes', async () => {
      const a = await node();
      const first = await login(a, newUser());
      const second = await rotated(a, first.refreshToken);
      const third = await rotated(a, second.refreshToken);
      // Within the window of first's rotation, but second is no longer live.
      const replay = await refresh(a, first.refreshToken);
      assert.equal(await errorCode(replay), 'REFRESH_REUSED');
      assert.equal((await refresh(a, third.refreshToken)).status, 401);
    });

    it('strict (0): an immediate retry with the preceding token revokes the family', async () => {
      const a = await node(STRICT);
      const first = await login(a, newUser());
      const second = await rotated(a, first.refreshToken);
      const retry = await refresh(a, first.refreshToken);
      assert.equal(await errorCode(retry), 'REFRESH_REUSED');
      assert.equal((await refresh(a, second.refreshToken)).status, 401);
      assert.equal(a.strategy.refreshStats().grace, 0);
    });

    it('concurrent retries on two nodes get one successor: the family never forks', async () => {
      const a = await node();
      const b = await node();
      for (let round = 0; round < 10; round += 1) {
        const liveBefore = (await a.strategy.count()) ?? 0;
        const { refreshToken } = await login(a, newUser());
        // Round 0..4: no answer was seen yet; 5..9: the first answer was lost.
        if (round >= 5) await rotated(a, refreshToken);
        const racers = Array.from({ length: 8 }, (_, i) => refresh(i % 2 ? a : b, refreshToken));
        const responses = await Promise.all(racers);
        const bodies = await Promise.all(
          responses.map(async (response) => {
            assert.equal(response.status, 200, await response.clone().text());
            return (await response.json()) as TokenPair;
          }),
        );
        const successors = new Set(bodies.map((body) => body.refreshToken));
        assert.equal(successors.size, 1, `round ${round}: ${successors.size} successors`);
        assert.equal(await a.strategy.count(), liveBefore + 1, 'one live family');
        // The one successor rotates on; the family is intact.
        const [successor] = successors;
        await rotated(b, successor!);
      }
    });
  });

  it('logout with an expired access token and the refresh token revokes the family', async () => {
    const clock = { now: Date.now() };
    const a = await node({ accessTtlSeconds: 60 }, clock);
    const before = await a.strategy.count();
    const first = await login(a, newUser());
    const second = await rotated(a, first.refreshToken);
    clock.now += 120_000;
    assert.equal(
      await errorCode(await a.fetch('/me', { token: second.accessToken })),
      'SESSION_EXPIRED',
    );
    const out = await a.fetch('/logout', {
      token: second.accessToken,
      body: { refreshToken: second.refreshToken },
    });
    assert.equal(out.status, 204);
    assert.equal(await a.strategy.count(), before);
    assert.equal(await counted(a.metrics.sessionsDestroyed, { reason: 'logout' }), 1);
    const after = await refresh(a, second.refreshToken);
    assert.equal(after.status, 401);
    assert.equal(await errorCode(after), 'NO_SESSION');
  });

  it('logout by refresh token needs no access token; only that family is revoked', async () => {
    const a = await node();
    const mine = await login(a, newUser());
    const other = await login(a, newUser());
    // No Authorization header at all.
    assert.equal(
      (await a.fetch('/logout', { body: { refreshToken: mine.refreshToken } })).status,
      204,
    );
    assert.equal((await refresh(a, mine.refreshToken)).status, 401);
    // A token that is no family's, or a second logout: nothing revoked, same answer (RFC 7009).
    for (const refreshToken of ['A'.repeat(43), mine.refreshToken]) {
      assert.equal((await a.fetch('/logout', { body: { refreshToken } })).status, 204);
    }
    assert.equal(await counted(a.metrics.sessionsDestroyed, { reason: 'logout' }), 1);
    await rotated(a, other.refreshToken);
  });

  it('a family older than the absolute session lifetime stops rotating: log in again', async () => {
    const clock = { now: Date.now() };
    const a = await node({}, clock, 600_000);
    const first = await login(a, newUser());
    clock.now += 300_000;
    const second = await rotated(a, first.refreshToken);
    clock.now += 300_000;
    const late = await refresh(a, second.refreshToken);
    assert.equal(late.status, 401, 'ten minutes after login, with a 10-minute lifetime');
    assert.equal(await errorCode(late), 'SESSION_EXPIRED');
  });

  it('logout revokes the family and lowers the live count', async () => {
    const a = await node();
    const before = await a.strategy.count();
    const pair = await login(a, newUser());
    assert.equal(await a.strategy.count(), (before ?? 0) + 1);
    const out = await a.fetch('/logout', { method: 'POST', token: pair.accessToken });
    assert.equal(out.status, 204);
    assert.equal(await a.strategy.count(), before);
    assert.equal(await counted(a.metrics.sessionsCreated), 1);
    assert.equal(await counted(a.metrics.sessionsDestroyed, { reason: 'logout' }), 1);
    // A second logout with the same token: nothing left to revoke, nothing counted.
    await a.fetch('/logout', { method: 'POST', token: pair.accessToken });
    assert.equal(await counted(a.metrics.sessionsDestroyed, { reason: 'logout' }), 1);
    const response = await refresh(a, pair.refreshToken);
    assert.equal(response.status, 401);
    assert.equal(await errorCode(response), 'NO_SESSION');
  });

  it('stores only hashes: no refresh token appears in any Redis key or value', async () => {
    const a = await node();
    const first = await login(a, newUser());
    const second = await rotated(a, first.refreshToken);
    const raw = [first.refreshToken, second.refreshToken];
    const redis = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await redis.connect();
    try {
      const dump: string[] = [];
      for (const key of await redis.keys('*')) {
        const type = await redis.type(key);
        dump.push(key);
        if (type === 'hash') dump.push(...Object.entries(await redis.hgetall(key)).flat());
        if (type === 'zset') dump.push(...(await redis.zrange(key, 0, '-1')));
        if (type === 'string') dump.push((await redis.get(key)) ?? '');
      }
      const text = dump.join('\n');
      for (const token of raw) assert.ok(!text.includes(token), 'a raw refresh token is in Redis');
      for (const token of raw) {
        assert.ok(dump.includes(`sl:rt:t:${hashRefreshToken(token)}`), 'its hash is the key');
      }
    } finally {
      await redis.quit();
    }
  });

  it('counts one round trip and 7 commands per rotation, grace window or not (C12)', async () => {
    const a = await node();
    // One rotation first: a Redis that has not seen the script yet costs an extra EVAL.
    let { refreshToken } = await rotated(a, (await login(a, newUser())).refreshToken);
    const before = a.strategy.refreshStats();
    const rotations = 5;
    for (let i = 0; i < rotations; i += 1) ({ refreshToken } = await rotated(a, refreshToken));
    const after = a.strategy.refreshStats();
    const stats = {
      refreshes: after.refreshes - before.refreshes,
      rotated: after.rotated - before.rotated,
      roundTrips: after.roundTrips - before.roundTrips,
      commands: after.commands - before.commands,
    };
    assert.equal(stats.refreshes, rotations);
    assert.equal(stats.rotated, rotations);
    assert.equal(stats.roundTrips, rotations);
    assert.equal(stats.commands, rotations * 7);
  });

  for (const accessTtlSeconds of [60, 10]) {
    it(`the access token keeps working after logout until it expires (ttl ${accessTtlSeconds} s, C10)`, async () => {
      const clock = { now: Date.now() };
      const a = await node({ accessTtlSeconds, clockSkewSeconds: 5 }, clock);
      const pair = await login(a, newUser());
      const loggedOutAt = clock.now;
      const out = await a.fetch('/logout', { method: 'POST', token: pair.accessToken });
      assert.equal(out.status, 204);

      // Walk the clock a second at a time until the token is refused: that is the window.
      let status = 200;
      while (status === 200 && clock.now - loggedOutAt < 600_000) {
        status = (await a.fetch('/me', { token: pair.accessToken })).status;
        if (status === 200) clock.now += 1000;
      }
      const windowSeconds = (clock.now - loggedOutAt) / 1000;
      assert.equal(status, 401);
      const expired = await a.fetch('/me', { token: pair.accessToken });
      assert.equal(await errorCode(expired), 'SESSION_EXPIRED');
      // Lifetime plus the verifier's skew, give or take the second the token's iat is floored to.
      assert.ok(
        windowSeconds >= accessTtlSeconds + 5 - 1 && windowSeconds <= accessTtlSeconds + 5 + 1,
        `revocation window ${windowSeconds} s`,
      );
    });
  }
});
