import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNodeApp } from '../../../nodes/app.ts';
import { StoreUnavailableError } from '../../../store/errors.ts';
import {
  ADMIN_TOKEN,
  errorOf,
  login,
  NODE_ID,
  overrideStore,
  postJson,
  startNode,
} from './harness.ts';

describe('nodes/app', () => {
  const config = {
    demoPassword: 'secret',
    absoluteTimeoutMs: 1_000,
    idleTimeoutMs: 1_000,
    maxEntries: 10,
    adminToken: ADMIN_TOKEN,
  };

  it('is built without listening or a strategy, trusting exactly one proxy hop', async () => {
    const node = createNodeApp({ nodeId: 'n1', config });
    assert.equal(node.app.proxy, true);
    assert.equal(node.app.maxIpsCount, 1);
    assert.equal(node.strategy, undefined);
    await node.close();
  });

  it('answers 503 NOT_READY on session routes until it has a strategy, and /healthz anyway', async () => {
    const node = createNodeApp({ nodeId: 'n1', config });
    const server = createServer((req, res) => void node.app.callback()(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      for (const path of ['/me', '/readyz']) {
        const response = await fetch(url + path);
        assert.equal(response.status, 503, path);
        assert.equal((await errorOf(response)).code, 'NOT_READY');
      }
      assert.equal((await fetch(`${url}/healthz`)).status, 200);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await node.close();
    }
  });

  it('refuses an empty node id at once', () => {
    assert.throws(() => createNodeApp({ nodeId: '', config }), /nodeId must be a non-empty string/);
  });

  describe('X-Served-By', () => {
    const cases: [string, number, string, RequestInit?][] = [
      ['a success', 200, '/healthz'],
      ['a 401', 401, '/me'],
      ['a 404', 404, '/no/such/route'],
      ['a 400', 400, '/login', postJson({ user: '' })],
      ['a 405', 405, '/login'],
      ['a 413', 413, '/login', postJson({ user: 'x'.repeat(20_000), password: 'secret' })],
    ];
    for (const [what, status, path, init] of cases) {
      it(`is on ${what}`, async () => {
        const node = await startNode();
        const response = await node.fetch(path, init);
        assert.equal(response.status, status);
        assert.equal(response.headers.get('X-Served-By'), NODE_ID);
      });
    }

    it('is on a 500 and a 503', async () => {
      const broken = await startNode({
        wrapStore: (inner) =>
          overrideStore(inner, { create: () => Promise.reject(new Error('boom')) }),
      });
      const internal = await broken.fetch('/login', postJson({ user: 'a', password: 'secret' }));
      assert.equal(internal.status, 500);
      assert.equal(internal.headers.get('X-Served-By'), NODE_ID);
      const down = await startNode({
        wrapStore: (inner) =>
          overrideStore(inner, {
            create: () => Promise.reject(new StoreUnavailableError('redis down')),
          }),
      });
      const unavailable = await down.fetch('/login', postJson({ user: 'a', password: 'secret' }));
      assert.equal(unavailable.status, 503);
      assert.equal(unavailable.headers.get('X-Served-By'), NODE_ID);
    });
  });

  describe('errors', () => {
    it('answers an unknown route with 404 NOT_FOUND as JSON', async () => {
      const node = await startNode();
      const response = await node.fetch('/nope');
      assert.equal(response.status, 404);
      assert.match(response.headers.get('Content-Type') ?? '', /^application\/json/);
      assert.equal((await errorOf(response)).code, 'NOT_FOUND');
    });

    it('answers a known route with the wrong method with 405 and Allow', async () => {
      const node = await startNode();
      const response = await node.fetch('/cart', { method: 'DELETE' });
      assert.equal(response.status, 405);
      assert.equal((await errorOf(response)).code, 'METHOD_NOT_ALLOWED');
      assert.match(response.headers.get('Allow') ?? '', /GET/);
    });

    it('hides the message of an unexpected error but logs it', async () => {
      const node = await startNode({
        wrapStore: (inner) =>
          overrideStore(inner, {
            getAndTouch: () => Promise.reject(new Error('db password is hunter2')),
          }),
      });
      const response = await node.fetch('/me', { headers: { Cookie: `sid=${'A'.repeat(43)}` } });
      assert.equal(response.status, 500);
      const text = await response.text();
      assert.deepEqual(JSON.parse(text), {
        error: { code: 'INTERNAL', message: 'internal error' },
      });
      assert.doesNotMatch(text, /hunter2/);
      assert.ok(
        node.logs.some((line) => JSON.stringify(line).includes('hunter2') && line.level === 50),
        'the real error is logged at error level',
      );
    });

    it('answers 503 STORE_UNAVAILABLE when the store cannot be reached', async () => {
      const node = await startNode({
        wrapStore: (inner) =>
          overrideStore(inner, {
            getAndTouch: () =>
              Promise.reject(new StoreUnavailableError('connect ECONNREFUSED 10.0.0.7')),
          }),
      });
      const cookie = await login(node);
      const response = await node.fetch('/cart', { headers: { Cookie: cookie } });
      assert.equal(response.status, 503);
      const error = await errorOf(response);
      assert.equal(error.code, 'STORE_UNAVAILABLE');
      assert.doesNotMatch(error.message, /10\.0\.0\.7/, 'store details stay in the log');
    });
  });
});
