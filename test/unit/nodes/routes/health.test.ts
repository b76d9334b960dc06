import assert from 'node:assert/strict';
import { StoreUnavailableError } from '../../../../store/errors.ts';
import type { SessionStore } from '../../../../store/session-store.ts';
import { errorOf, NODE_ID, overrideStore, startNode } from '../harness.ts';

/**
 * A store that works until `down.now` is set, then fails every call (or
 * hangs, with `down.hang`): the node starts only with a ready store.
 */
function failingLater(inner: SessionStore, down: { now: boolean; hang?: boolean }): SessionStore {
  const guard =
    <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      if (!down.now) return call(...args);
      if (down.hang) return new Promise<R>(() => {});
      return Promise.reject(new StoreUnavailableError('down'));
    };
  return overrideStore(inner, {
    get: guard((id) => inner.get(id)),
    create: guard((record) => inner.create(record)),
    set: guard((record, expected) => inner.set(record, expected)),
    destroy: guard((id) => inner.destroy(id)),
    touch: guard((id, now) => inner.touch(id, now)),
    count: guard(() => inner.count()),
    ping: guard(() => inner.ping()),
  });
}

describe('nodes/routes/health', () => {
  it('GET /healthz answers ok without asking the store', async () => {
    const down = { now: false };
    const node = await startNode({ wrapStore: (inner) => failingLater(inner, down) });
    down.now = true;
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
    const down = { now: false };
    const node = await startNode({ wrapStore: (inner) => failingLater(inner, down) });
    down.now = true;
    const response = await node.fetch('/readyz');
    assert.equal(response.status, 503);
    const error = await errorOf(response);
    assert.equal(error.code, 'NOT_READY');
    assert.match(error.message, /^session strategy sticky not ready: STORE_UNAVAILABLE: down$/);
  });

  it('GET /readyz answers 503 promptly when the store hangs', async () => {
    const down = { now: false, hang: true };
    const node = await startNode({ wrapStore: (inner) => failingLater(inner, down) });
    down.now = true;
    const started = performance.now();
    const response = await node.fetch('/readyz');
    assert.equal(response.status, 503);
    assert.match((await errorOf(response)).message, /no answer within 1000 ms/);
    assert.ok(performance.now() - started < 3_000);
  });
});
