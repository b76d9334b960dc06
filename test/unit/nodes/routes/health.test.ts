import assert from 'node:assert/strict';
import { StoreUnavailableError } from '../../../../store/errors.ts';
import type { SessionStore } from '../../../../store/session-store.ts';
import { errorOf, NODE_ID, startNode } from '../harness.ts';

// A store every call of which fails, to prove a route does not use it.
function deadStore(): SessionStore {
  const fail = () => Promise.reject(new StoreUnavailableError('down'));
  return {
    get: fail,
    create: fail,
    set: fail,
    destroy: fail,
    touch: fail,
    count: fail,
    ping: fail,
    close: () => Promise.resolve(),
  };
}

describe('nodes/routes/health', () => {
  it('GET /healthz answers ok without asking the store', async () => {
    const node = await startNode({ wrapStore: () => deadStore() });
    const response = await node.fetch('/healthz');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok', node: NODE_ID });
  });

  it('GET /readyz answers 200 when the store answers', async () => {
    const node = await startNode();
    const response = await node.fetch('/readyz');
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ready', node: NODE_ID });
  });

  it('GET /readyz answers 503 NOT_READY with the reason when the store is down', async () => {
    const node = await startNode({ wrapStore: () => deadStore() });
    const response = await node.fetch('/readyz');
    assert.equal(response.status, 503);
    const error = await errorOf(response);
    assert.equal(error.code, 'NOT_READY');
    assert.match(error.message, /STORE_UNAVAILABLE: down/);
  });

  it('GET /readyz answers 503 promptly when the store hangs', async () => {
    const node = await startNode({
      wrapStore: () => ({ ...deadStore(), ping: () => new Promise<void>(() => {}) }),
    });
    const started = performance.now();
    const response = await node.fetch('/readyz');
    assert.equal(response.status, 503);
    assert.match((await errorOf(response)).message, /no answer within 1000 ms/);
    assert.ok(performance.now() - started < 3_000);
  });
});
