import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { LoadClient } from '../../../loadgen/http-client.ts';
import { Recorder } from '../../../loadgen/recorder.ts';
import type { LoadTotals } from '../../../loadgen/types.ts';
import { cartVersion, retryDelay } from '../../../loadgen/core/virtual-user.ts';
import { VirtualUser } from '../../../loadgen/virtual-user.ts';
import { FakeNode, type FakeNodeOptions } from './fake-node.ts';

/** One user against a fake node; `totals()` says what it recorded. */
async function withUser(
  options: FakeNodeOptions,
  body: (user: VirtualUser, node: FakeNode) => Promise<void>,
): Promise<LoadTotals> {
  const node = await new FakeNode(options).start();
  const client = new LoadClient(new URL(node.url), { maxSockets: 10, timeoutMs: 2000 });
  const recorder = new Recorder();
  const user = new VirtualUser('alice', {
    client,
    recorder,
    stopping: new AbortController().signal,
    thinkMs: 0,
    refreshRetry: { retries: 3, windowMs: 2000 },
  });
  try {
    await body(user, node);
    recorder.takeSeconds(true);
    return recorder.totals(client.bytes());
  } finally {
    client.close();
    await node.close();
  }
}

describe('loadgen VirtualUser', () => {
  it('jwt: parallel requests with a due token share one refresh (a second would be a replay)', async () => {
    const totals = await withUser({ jwtExpiresIn: 1 }, async (user, node) => {
      assert.equal(await user.login(), true);
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => user.request('POST', '/cart/items', { sku: 's', qty: 1 })),
      );
      assert.deepEqual(
        answers.map((answer) => answer.kind === 'answer' && answer.status),
        [200, 200, 200, 200],
      );
      assert.equal(node.reusedRefreshTokens, 0);
    });
    assert.equal(totals.refreshes, 1);
    assert.equal(totals.refreshFailures, 0);
    assert.equal(totals.errors, 0);
  });

  it('parallel 401s of one session are one lost session; the relogin is counted', async () => {
    const totals = await withUser({ loseSession: () => true }, async (user) => {
      await user.login();
      await Promise.all(Array.from({ length: 3 }, () => user.request('GET', '/me')));
      assert.equal(user.hasSession, false);
      assert.equal(await user.login(), true);
    });
    assert.equal(totals.sessionsLost, 1);
    assert.equal(totals.relogins, 1);
    assert.equal(totals.sessionsStarted, 2);
    assert.deepEqual(totals.errorsByKind, { '401': 3 });
  });

  it('jwt: after a lost session the cart survives the relogin and is not taken for a doubled update', async () => {
    let drop = false;
    const totals = await withUser({ jwtExpiresIn: 60, loseSession: () => drop }, async (user) => {
      await user.login();
      for (let i = 0; i < 3; i += 1) {
        const answer = await user.request('POST', '/cart/items', { sku: 's', qty: 1 });
        user.judge(user.cart.write(cartVersion(answer)!));
      }
      drop = true;
      await user.request('GET', '/cart');
      drop = false;
      await user.login();
      const answer = await user.request('POST', '/cart/items', { sku: 's', qty: 1 });
      assert.equal(cartVersion(answer), 4, 'the cart is kept per user');
      user.judge(user.cart.write(4));
    });
    assert.equal(totals.sessionsLost, 1);
    assert.equal(totals.doubledUpdates, 0);
  });

  it('a fresh user starts from version 0; a session lost with its cart is not a stale read after relogin', async () => {
    let drop = false;
    const totals = await withUser({ loseSession: () => drop }, async (user) => {
      await user.login();
      assert.equal(user.cart.lastSeen, 0);
      for (let i = 0; i < 3; i += 1) {
        const answer = await user.request('POST', '/cart/items', { sku: 's', qty: 1 });
        user.judge(user.cart.write(cartVersion(answer)!));
      }
      drop = true;
      await user.request('GET', '/cart');
      drop = false;
      await user.login();
      user.judge(user.cart.read(cartVersion(await user.request('GET', '/cart'))!));
    });
    assert.equal(totals.sessionsLost, 1);
    assert.equal(totals.staleReads, 0);
  });

  it("counts a session's answers from its home node (the login's) of all, with a new home at each login", async () => {
    const totals = await withUser({ servedBy: ['node-a', 'node-b'] }, async (user) => {
      await user.login(); // node-a: the home
      for (let i = 0; i < 4; i += 1) await user.request('GET', '/me'); // b, a, b, a
      await user.login(); // node-b: the new home
      for (let i = 0; i < 3; i += 1) await user.request('GET', '/me'); // a, b, a
    });
    assert.equal(totals.errors, 0, JSON.stringify(totals.errorsByKind));
    // 2 of 4 from node-a, then 1 of 3 from node-b (2 of 3 had the home stayed node-a).
    assert.deepEqual([totals.pinnedServed, totals.pinnedTotal], [2 + 1, 4 + 3]);
    assert.deepEqual(totals.latencyByRoute?.me?.count, 7);
    assert.deepEqual(totals.latencyByRoute?.login?.count, 2);
    assert.deepEqual(totals.latencyByRoute?.refresh, {
      count: 0,
      failed: 0,
      p50: null,
      p99: null,
      successP50: null,
      successP99: null,
    });
  });

  it('times every answered request under its route, the token refreshes included', async () => {
    const totals = await withUser({ jwtExpiresIn: 1 }, async (user) => {
      await user.login();
      await user.request('GET', '/me');
      await user.request('GET', '/cart');
      await user.request('POST', '/cart/items', { sku: 's', qty: 1 });
      await user.logout();
    });
    const byRoute = totals.latencyByRoute!;
    assert.deepEqual(Object.keys(byRoute), [
      'login',
      'me',
      'cart',
      'add-item',
      'refresh',
      'logout',
    ]);
    // A 1 s token is due at once: a refresh before each request of the session.
    assert.ok(totals.refreshes >= 1, `refreshes ${totals.refreshes}`);
    assert.equal(byRoute.refresh!.count, totals.refreshes);
    for (const route of ['login', 'me', 'cart', 'add-item', 'logout']) {
      assert.equal(byRoute[route]!.count, 1, route);
    }
    for (const [route, { p50, p99 }] of Object.entries(byRoute)) {
      assert.ok(p50 !== null && p50 > 0 && p99 !== null && p99 >= p50, `${route}: ${p50} ${p99}`);
    }
    assert.equal(totals.requests, 5 + totals.refreshes);
    assert.equal(totals.errors, 0, JSON.stringify(totals.errorsByKind));
    const after = totals.requests - 1; // all but the login
    assert.deepEqual([totals.pinnedServed, totals.pinnedTotal], [after, after], 'one node: home');
  });

  it('logout ends the session: a 401 after it is an error, not a lost session', async () => {
    const totals = await withUser({}, async (user) => {
      await user.login();
      await user.logout();
      assert.equal(user.hasSession, false);
      const after = await user.request('GET', '/me');
      assert.equal(after.kind === 'answer' && after.status, 401);
    });
    assert.equal(totals.sessionsLost, 0);
    assert.deepEqual(totals.errorsByKind, { '401': 1 });
  });

  it('a misrouted request lowers the home share: every answer to a held session counts, a 401 too', async () => {
    const totals = await withUser(
      { servedBy: ['node-a', 'node-b'], loseSession: () => true },
      async (user) => {
        await user.login(); // node-a: the home
        const answer = await user.request('GET', '/me'); // node-b: 401, the session is not there
        assert.equal(answer.kind === 'answer' && answer.status, 401);
      },
    );
    assert.deepEqual([totals.pinnedServed, totals.pinnedTotal], [0, 1]);
    assert.deepEqual(totals.heldAnswersByNode, { 'node-b': { answers: 1, home: 0 } });
    assert.equal(totals.sessionsLost, 1);
  });

  describe('jwt: a failed refresh is retried like a well-written client does', () => {
    // 2 s tokens: the client refreshes from 0.75 s and holds them usable until 1 s.
    const due = () => sleep(800);

    it('a refresh answered 503 twice: retried with the same token, no session lost', async () => {
      let node: FakeNode | undefined;
      const totals = await withUser(
        { jwtExpiresIn: 2, refreshFault: (index) => (index < 2 ? 503 : undefined) },
        async (user, fake) => {
          node = fake;
          await user.login();
          await due();
          const answer = await user.request('GET', '/me');
          assert.equal(answer.kind === 'answer' && answer.status, 200);
        },
      );
      const seen = node!.refreshTokensSeen;
      assert.equal(seen.length, 3);
      assert.equal(new Set(seen).size, 1, 'the same refresh token every time');
      assert.equal(node!.expiredBearers, 0);
      assert.deepEqual(
        [totals.refreshes, totals.refreshRetries, totals.refreshFailures, totals.sessionsLost],
        [1, 2, 0, 0],
      );
      assert.deepEqual(totals.errorsByKind, { '503': 2 });
    });

    it('a refresh that keeps failing: gives up within the window, never sends the expired token, counts it lost', async () => {
      let node: FakeNode | undefined;
      const started = performance.now();
      const totals = await withUser(
        { jwtExpiresIn: 2, refreshFault: () => 503 },
        async (user, fake) => {
          node = fake;
          await user.login();
          await due();
          assert.deepEqual(await user.request('GET', '/me'), { kind: 'skipped' });
          assert.equal(user.hasSession, false);
        },
      );
      assert.ok(performance.now() - started < 800 + 2000 + 500, 'bounded in time');
      assert.equal(node!.refreshTokensSeen.length, 4, 'one try and 3 retries');
      assert.equal(node!.expiredBearers, 0);
      assert.deepEqual(
        [totals.refreshRetries, totals.refreshFailures, totals.refreshLost, totals.sessionsLost],
        [3, 1, 1, 1],
      );
      assert.equal(totals.refreshRevokedByReuse, 0);
    });

    it('a refresh answered 401 REFRESH_REUSED: revoked by reuse, not retried', async () => {
      const totals = await withUser(
        { jwtExpiresIn: 2, refreshFault: () => 'reuse' },
        async (user) => {
          await user.login();
          await due();
          assert.deepEqual(await user.request('GET', '/me'), { kind: 'skipped' });
        },
      );
      assert.deepEqual(
        [
          totals.refreshRevokedByReuse,
          totals.refreshLost,
          totals.refreshRetries,
          totals.sessionsLost,
        ],
        [1, 0, 0, 1],
      );
    });

    it('retry delays double from 100 ms, bounded by the count and the window', () => {
      const policy = { retries: 3, windowMs: 2000 };
      assert.deepEqual(
        [0, 1, 2, 3].map((retry) => retryDelay(retry, 0, policy)),
        [100, 200, 400, undefined],
      );
      assert.equal(retryDelay(1, 1900, policy), undefined, 'would start past the window');
      assert.equal(retryDelay(0, 0, { retries: 0, windowMs: 2000 }), undefined);
    });
  });
});
