// PUT /admin/strategy end to end: the switch a lab run performs on every node.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { freePort } from '../../../../lab/process/ports.ts';
import { waitFor } from '../../../../lab/process/wait.ts';
import { generateSigningKeys } from '../../../../nodes/strategies/jwt/index.ts';
import {
  ADMIN_HEADERS,
  ADMIN_TOKEN,
  cookieValueOf,
  errorOf,
  login,
  metricOf,
  overrideStore,
  postJson,
  startNode,
  switchStrategy,
} from '../harness.ts';
import type { TestNode } from '../harness.ts';

const COOKIE_BODY = {
  name: 'cookie',
  cookie: { keys: [{ id: 'k1', secret: randomBytes(32).toString('base64url') }] },
};

async function statusOf(node: TestNode): Promise<Record<string, unknown>> {
  const response = await node.fetch('/admin/status', { headers: ADMIN_HEADERS });
  assert.equal(response.status, 200);
  return (await response.json()) as Record<string, unknown>;
}

/** A gate a store call waits at once `held` is set, and a flag that says it is waiting. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { held: false, waiting: false, open, opened };
}

describe('PUT /admin/strategy (live switch)', () => {
  it('needs the admin token', async () => {
    const node = await startNode();
    const none = await node.fetch('/admin/strategy', { ...postJson(COOKIE_BODY), method: 'PUT' });
    assert.equal(none.status, 401);
    assert.equal((await errorOf(none)).code, 'ADMIN_UNAUTHORIZED');
    const wrong = await node.fetch('/admin/strategy', {
      ...postJson(COOKIE_BODY, { Authorization: `Bearer ${ADMIN_TOKEN}x` }),
      method: 'PUT',
    });
    assert.equal(wrong.status, 403);
    assert.equal((await statusOf(node)).strategy, 'sticky');
  });

  it('answers 400 BAD_INPUT naming the field for a bad body, keeping the strategy', async () => {
    const node = await startNode();
    const cookie = await login(node);
    const bad = await switchStrategy(node, {
      name: 'redis',
      redis: { url: 'http://x', mode: 'cas' },
    });
    assert.equal(bad.status, 400);
    const error = await errorOf(bad);
    assert.equal(error.code, 'BAD_INPUT');
    assert.match(error.message, /^redis\.url: must be a redis:\/\/ URL/);
    const notJson = await node.fetch('/admin/strategy', {
      method: 'PUT',
      headers: { ...ADMIN_HEADERS, 'Content-Type': 'application/json' },
      body: '{name:',
    });
    assert.equal(notJson.status, 400);
    assert.equal((await statusOf(node)).strategy, 'sticky');
    assert.equal((await node.fetch('/me', { headers: { Cookie: cookie } })).status, 200);
  });

  it('switches sticky → cookie while a request is in flight: it finishes on sticky, new ones use cookie, sticky closes after', async () => {
    const held = gate();
    let closed = false;
    const node = await startNode({
      wrapStore: (inner) =>
        overrideStore(inner, {
          getAndTouch: async (id, now) => {
            if (held.held) {
              held.waiting = true;
              await held.opened;
            }
            return inner.getAndTouch(id, now);
          },
          close: () => {
            closed = true;
            return inner.close();
          },
        }),
    });
    const sid = await login(node, 'alice');
    await node.fetch('/cart/items', postJson({ sku: 'apple', qty: 2 }, { Cookie: sid }));

    held.held = true;
    const slow = node.fetch('/cart', { headers: { Cookie: sid } });
    await waitFor(() => held.waiting, {
      timeoutMs: 5_000,
      what: 'the slow request to reach the store',
    });

    const switched = await switchStrategy(node, COOKIE_BODY);
    assert.equal(switched.status, 200, await switched.clone().text());
    const result = (await switched.json()) as Record<string, unknown>;
    assert.deepEqual(
      { ...result, tookMs: typeof result.tookMs },
      {
        strategy: 'cookie',
        variant: 'aes-256-gcm',
        previous: { strategy: 'sticky', variant: 'memory' },
        tookMs: 'number',
      },
    );
    assert.equal(closed, false, 'sticky still serves its request');

    // New requests: the cookie strategy; old sessions do not migrate.
    const login2 = await node.fetch('/login', postJson({ user: 'bob', password: 'secret' }));
    assert.ok(cookieValueOf(login2, 'sls'));
    assert.equal((await node.fetch('/me', { headers: { Cookie: sid } })).status, 401);
    assert.deepEqual(
      [(await statusOf(node)).strategy, (await statusOf(node)).variant],
      ['cookie', 'aes-256-gcm'],
    );

    held.open();
    const answer = await slow;
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), { items: [{ sku: 'apple', qty: 2 }], version: 1 });
    await waitFor(() => closed, { timeoutMs: 5_000, what: 'the sticky store to be closed' });

    assert.equal(
      await metricOf(node, 'lab_node_strategy_switches_total', {
        strategy: 'cookie',
        result: 'ok',
      }),
      1,
    );
    assert.equal(
      await metricOf(node, 'lab_node_strategy_info', {
        strategy: 'cookie',
        variant: 'aes-256-gcm',
      }),
      1,
    );
    assert.equal(
      await metricOf(node, 'lab_node_strategy_info', { strategy: 'sticky', variant: 'memory' }),
      undefined,
    );
  });

  it('closes the old strategy after the drain timeout even with a request still on it', async () => {
    const held = gate();
    let closed = false;
    const node = await startNode({
      app: { drainTimeoutMs: 200 },
      wrapStore: (inner) =>
        overrideStore(inner, {
          getAndTouch: async (id, now) => {
            if (held.held) {
              held.waiting = true;
              await held.opened;
            }
            return inner.getAndTouch(id, now);
          },
          close: () => {
            closed = true;
            return inner.close();
          },
        }),
    });
    const sid = await login(node);
    held.held = true;
    const stuck = node.fetch('/me', { headers: { Cookie: sid } });
    await waitFor(() => held.waiting, { timeoutMs: 5_000, what: 'the request to reach the store' });
    assert.equal((await switchStrategy(node, COOKIE_BODY)).status, 200);
    await waitFor(() => closed, { timeoutMs: 5_000, what: 'the drain timeout to close sticky' });
    held.open();
    // Its store is gone: the straggler gets a fast 503, not a hang.
    assert.equal((await stuck).status, 503);
  });

  it('answers 503 with the reason when the new strategy cannot start, and keeps the old one', async () => {
    const node = await startNode();
    const sid = await login(node);
    const port = await freePort();
    const started = performance.now();
    const failed = await switchStrategy(node, {
      name: 'redis',
      redis: { url: `redis://127.0.0.1:${port}` },
    });
    assert.equal(failed.status, 503);
    const error = await errorOf(failed);
    assert.equal(error.code, 'STRATEGY_UNAVAILABLE');
    assert.match(
      error.message,
      new RegExp(`previous strategy stays: redis at 127\\.0\\.0\\.1:${port}`),
    );
    assert.ok(performance.now() - started < 5_000, 'fails fast');

    assert.equal((await statusOf(node)).strategy, 'sticky');
    assert.equal((await node.fetch('/me', { headers: { Cookie: sid } })).status, 200);
    assert.equal((await node.fetch('/readyz')).status, 200);
    assert.equal(
      await metricOf(node, 'lab_node_strategy_switches_total', {
        strategy: 'redis',
        result: 'failed',
      }),
      1,
    );
  });

  it('checks ready() before the swap: jwt (which connects there) with Redis unreachable answers 503', async () => {
    const node = await startNode();
    const port = await freePort();
    const failed = await switchStrategy(node, {
      name: 'jwt',
      jwt: { keys: await generateSigningKeys('HS256') },
      redis: { url: `redis://127.0.0.1:${port}` },
    });
    assert.equal(failed.status, 503);
    assert.equal((await errorOf(failed)).code, 'STRATEGY_UNAVAILABLE');
    assert.equal((await statusOf(node)).strategy, 'sticky');
  });

  it('runs one switch at a time, the last one winning', async () => {
    const node = await startNode();
    const responses = await Promise.all([
      switchStrategy(node, COOKIE_BODY),
      switchStrategy(node, { name: 'sticky' }),
    ]);
    const results = await Promise.all(
      responses.map(async (response) => {
        assert.equal(response.status, 200);
        return (await response.json()) as { strategy: string; previous: { strategy: string } };
      }),
    );
    assert.deepEqual(
      results.map((result) => [result.previous.strategy, result.strategy]),
      [
        ['sticky', 'cookie'],
        ['cookie', 'sticky'],
      ],
    );
    assert.equal((await statusOf(node)).strategy, 'sticky');
  });
});
