import assert from 'node:assert/strict';
import { MAX_CART_ITEMS } from '../../../../nodes/cart.ts';
import type { SessionRecord, SetResult } from '../../../../store/session-store.ts';
import { errorOf, login, overrideStore, postJson, startNode } from '../harness.ts';
import type { TestNode } from '../harness.ts';

interface CartBody {
  items: { sku: string; qty: number }[];
  version: number;
}

function addItem(node: TestNode, cookie: string, body: unknown): Promise<Response> {
  return node.fetch('/cart/items', postJson(body, { Cookie: cookie }));
}

async function cartOf(node: TestNode, cookie: string): Promise<CartBody> {
  const response = await node.fetch('/cart', { headers: { Cookie: cookie } });
  assert.equal(response.status, 200);
  return (await response.json()) as CartBody;
}

function sidOf(cookie: string): string {
  return cookie.slice('sid='.length);
}

describe('nodes/routes/cart', () => {
  it('starts empty at version 0', async () => {
    const node = await startNode();
    const cookie = await login(node);
    assert.deepEqual(await cartOf(node, cookie), { items: [], version: 0 });
  });

  it('answers 401 NO_SESSION without a session, for reads and writes', async () => {
    const node = await startNode();
    const read = await node.fetch('/cart');
    assert.equal(read.status, 401);
    assert.equal((await errorOf(read)).code, 'NO_SESSION');
    const write = await node.fetch('/cart/items', postJson({ sku: 'a', qty: 1 }));
    assert.equal(write.status, 401);
    assert.equal((await errorOf(write)).code, 'NO_SESSION');
  });

  it('bumps the version by exactly 1 per write and merges quantities of a SKU', async () => {
    const node = await startNode();
    const cookie = await login(node);
    const steps: [unknown, CartBody][] = [
      [
        { sku: 'apple', qty: 2 },
        { items: [{ sku: 'apple', qty: 2 }], version: 1 },
      ],
      [
        { sku: 'pear', qty: 1 },
        {
          items: [
            { sku: 'apple', qty: 2 },
            { sku: 'pear', qty: 1 },
          ],
          version: 2,
        },
      ],
      [
        { sku: 'apple', qty: 3 },
        {
          items: [
            { sku: 'apple', qty: 5 },
            { sku: 'pear', qty: 1 },
          ],
          version: 3,
        },
      ],
    ];
    for (const [body, expected] of steps) {
      const response = await addItem(node, cookie, body);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), expected);
    }
    assert.deepEqual(await cartOf(node, cookie), steps[2]?.[1]);
  });

  const badItems: [string, unknown][] = [
    ['an empty sku', { sku: '', qty: 1 }],
    ['a sku of 65 characters', { sku: 'x'.repeat(65), qty: 1 }],
    ['a sku with a slash', { sku: 'a/b', qty: 1 }],
    ['qty 0', { sku: 'a', qty: 0 }],
    ['qty 1001', { sku: 'a', qty: 1001 }],
    ['a fractional qty', { sku: 'a', qty: 1.5 }],
    ['qty as a string', { sku: 'a', qty: '2' }],
    ['no qty', { sku: 'a' }],
  ];
  for (const [what, body] of badItems) {
    it(`answers 400 BAD_INPUT for ${what}, changing nothing`, async () => {
      const node = await startNode();
      const cookie = await login(node);
      const response = await addItem(node, cookie, body);
      assert.equal(response.status, 400);
      assert.equal((await errorOf(response)).code, 'BAD_INPUT');
      assert.deepEqual(await cartOf(node, cookie), { items: [], version: 0 });
    });
  }

  it('accepts qty 1000 and a 64-character sku', async () => {
    const node = await startNode();
    const cookie = await login(node);
    const response = await addItem(node, cookie, { sku: 'S'.repeat(64), qty: 1000 });
    assert.equal(response.status, 200);
  });

  it(`refuses a new SKU past ${MAX_CART_ITEMS} lines with 413 CART_FULL, still growing existing ones`, async () => {
    const node = await startNode();
    const cookie = await login(node);
    const session = await node.store.get(sidOf(cookie));
    assert.ok(session);
    const items = Array.from({ length: MAX_CART_ITEMS }, (_, i) => ({ sku: `sku-${i}`, qty: 1 }));
    await node.store.set({ ...session, cart: { items, version: 1 } }, 0);

    const full = await addItem(node, cookie, { sku: 'one-more', qty: 1 });
    assert.equal(full.status, 413);
    assert.equal((await errorOf(full)).code, 'CART_FULL');
    const grow = await addItem(node, cookie, { sku: 'sku-0', qty: 1 });
    assert.equal(grow.status, 200);
    assert.equal(((await grow.json()) as CartBody).version, 2);
  });

  it('lands every one of many concurrent writes, each with its own version', async () => {
    const node = await startNode();
    const cookie = await login(node);
    const writers = 20;
    const responses = await Promise.all(
      Array.from({ length: writers }, (_, i) => addItem(node, cookie, { sku: `s${i}`, qty: 1 })),
    );
    const versions = await Promise.all(
      responses.map(async (response) => {
        assert.equal(response.status, 200);
        return ((await response.json()) as CartBody).version;
      }),
    );
    assert.deepEqual(
      versions.sort((a, b) => a - b),
      Array.from({ length: writers }, (_, i) => i + 1),
    );
    const cart = await cartOf(node, cookie);
    assert.equal(cart.version, writers);
    assert.equal(cart.items.length, writers);
  });

  it('retries a write that lost a compare-and-set race instead of losing it', async () => {
    // Every writer reads the session before any of them writes, so all but
    // one must hit a conflict and retry.
    const writers = 5;
    const results: SetResult[] = [];
    let reads = 0;
    let releaseReaders!: () => void;
    const allRead = new Promise<void>((resolve) => {
      releaseReaders = resolve;
    });
    const node = await startNode({
      wrapStore: (inner) =>
        overrideStore(inner, {
          // The first read of each request is the session check.
          getAndTouch: async (id, now) => {
            const record = await inner.getAndTouch(id, now);
            reads += 1;
            if (reads === writers) releaseReaders();
            if (reads <= writers) await allRead;
            return record;
          },
          set: async (record: SessionRecord, expected: number) => {
            const result = await inner.set(record, expected);
            results.push(result);
            return result;
          },
        }),
    });
    const cookie = await login(node);
    const responses = await Promise.all(
      Array.from({ length: writers }, () => addItem(node, cookie, { sku: 'same', qty: 2 })),
    );
    assert.deepEqual(
      responses.map((response) => response.status),
      Array<number>(writers).fill(200),
    );
    assert.ok(
      results.filter((result) => result === 'conflict').length >= writers - 1,
      `expected conflicts, got ${results.join(',')}`,
    );
    assert.deepEqual(await cartOf(node, cookie), {
      items: [{ sku: 'same', qty: 2 * writers }],
      version: writers,
    });
  });

  it('gives up with 409 CART_CONFLICT after a bounded number of attempts', async () => {
    let attempts = 0;
    const node = await startNode({
      app: { cartWriteAttempts: 3 },
      wrapStore: (inner) =>
        overrideStore(inner, {
          set: () => {
            attempts += 1;
            return Promise.resolve('conflict');
          },
        }),
    });
    const cookie = await login(node);
    const response = await addItem(node, cookie, { sku: 'a', qty: 1 });
    assert.equal(response.status, 409);
    assert.equal((await errorOf(response)).code, 'CART_CONFLICT');
    assert.equal(attempts, 3);
  });

  it('answers 401 and clears the cookie when the session vanishes mid-write', async () => {
    const node = await startNode({
      wrapStore: (inner) => overrideStore(inner, { set: () => Promise.resolve('missing') }),
    });
    const cookie = await login(node);
    const response = await addItem(node, cookie, { sku: 'a', qty: 1 });
    assert.equal(response.status, 401);
    assert.equal((await errorOf(response)).code, 'NO_SESSION');
    assert.match(response.headers.getSetCookie().join('\n'), /^sid=; .*Max-Age=0/m);
  });
});
