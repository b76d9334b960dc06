import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { SessionRecord, SessionStore } from '../../store/session-store.ts';
import { waitFor } from '../../lab/process/wait.ts';

/** What a store under test offers; the contract adapts its checks to it. */
export interface StoreUnderTest {
  /** Builds a fresh, connected store whose sessions expire after `idleTtlMs` idle. */
  create(options: { idleTtlMs: number }): Promise<SessionStore>;
  /**
   * True when `set` is an atomic compare-and-set. False for stores that can
   * only check-then-write (Hazelcast ReplicatedMap) or write blindly (Redis lww):
   * concurrent writers may then lose updates, which the lab measures rather than hides.
   */
  atomicCompareAndSet: boolean;
  /** True when `set` ignores the expected version on purpose (last write wins). */
  lastWriteWins?: boolean;
  /** Takes the store's server away and brings it back, for outage checks. */
  outage?: { stop(): Promise<void>; start(): Promise<void> };
}

function newRecord(user = 'alice'): SessionRecord {
  const now = Date.now();
  return {
    id: randomBytes(16).toString('base64url'),
    user,
    createdAt: now,
    lastSeenAt: now,
    cart: { items: [], version: 0 },
  };
}

/** Read-modify-write of one cart line, retried on conflict as the node does. */
async function addItem(store: SessionStore, id: string, sku: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const current = await store.get(id);
    assert.ok(current, 'session vanished during the writes');
    const expected = current.cart.version;
    current.cart = { items: [...current.cart.items, { sku, qty: 1 }], version: expected + 1 };
    const result = await store.set(current, expected);
    if (result === 'ok') return;
    assert.equal(result, 'conflict');
  }
  throw new Error(`write of ${sku} kept conflicting`);
}

/**
 * The one contract every SessionStore passes: memory, Redis (both modes),
 * Hazelcast (both variants). Call it inside a describe() of the store's own test.
 */
export function sessionStoreContract(subject: StoreUnderTest): void {
  let store: SessionStore;

  beforeEach(async () => {
    store = await subject.create({ idleTtlMs: 60000 });
  });
  afterEach(async () => {
    await store.close();
  });

  it('creates, reads and destroys a session', async () => {
    const record = newRecord();
    await store.create(record);
    assert.deepEqual(await store.get(record.id), record);
    assert.equal(await store.destroy(record.id), true);
    assert.equal(await store.get(record.id), undefined);
    assert.equal(await store.destroy(record.id), false);
  });

  it('answers undefined for an id it never issued', async () => {
    assert.equal(await store.get(randomBytes(16).toString('base64url')), undefined);
  });

  it('refuses to create a session whose id already exists', async () => {
    const record = newRecord();
    await store.create(record);
    await assert.rejects(store.create({ ...record, user: 'mallory' }));
    assert.equal((await store.get(record.id))?.user, 'alice');
  });

  it('returns copies: changing a read record does not change the store', async () => {
    const record = newRecord();
    await store.create(record);
    const read = await store.get(record.id);
    read!.cart.items.push({ sku: 'x', qty: 1 });
    assert.deepEqual((await store.get(record.id))?.cart.items, []);
  });

  it('writes when the expected version matches, and says missing for a gone session', async () => {
    const record = newRecord();
    await store.create(record);
    const next = { ...record, cart: { items: [{ sku: 'a', qty: 2 }], version: 1 } };
    assert.equal(await store.set(next, 0), 'ok');
    assert.deepEqual((await store.get(record.id))?.cart, next.cart);
    assert.equal(await store.set(newRecord(), 0), 'missing');
  });

  if (!subject.lastWriteWins) {
    it('refuses a write whose expected version is stale', async () => {
      const record = newRecord();
      await store.create(record);
      assert.equal(await store.set({ ...record, cart: { items: [], version: 1 } }, 0), 'ok');
      const stale = { ...record, cart: { items: [{ sku: 'late', qty: 1 }], version: 1 } };
      assert.equal(await store.set(stale, 0), 'conflict');
      assert.deepEqual((await store.get(record.id))?.cart, { items: [], version: 1 });
    });
  }

  if (subject.atomicCompareAndSet) {
    it('loses no update when many writers change one session at once', async () => {
      const record = newRecord();
      await store.create(record);
      const skus = Array.from({ length: 20 }, (_, index) => `sku-${index}`);
      await Promise.all(skus.map((sku) => addItem(store, record.id, sku)));
      const final = await store.get(record.id);
      assert.equal(final?.cart.version, skus.length);
      assert.deepEqual(final?.cart.items.map((item) => item.sku).sort(), [...skus].sort());
    });
  }

  it('reads a session and stamps lastSeenAt in one step, undefined when gone', async () => {
    const record = newRecord();
    await store.create(record);
    const seen = await store.getAndTouch(record.id, record.lastSeenAt + 1000);
    assert.deepEqual(seen, { ...record, lastSeenAt: record.lastSeenAt + 1000 });
    assert.deepEqual((await store.get(record.id))?.cart, record.cart, 'the cart is untouched');
    await store.destroy(record.id);
    assert.equal(await store.getAndTouch(record.id, Date.now()), undefined);
  });

  it('counts live sessions', async () => {
    const before = await store.count();
    const records = [newRecord('a'), newRecord('b'), newRecord('c')];
    for (const record of records) await store.create(record);
    assert.equal(await store.count(), before + 3);
    await store.destroy(records[0]!.id);
    assert.equal(await store.count(), before + 2);
  });

  it('answers ping while its server is reachable', async () => {
    await store.ping();
  });

  describe('expiry', () => {
    let short: SessionStore;
    before(async () => {
      short = await subject.create({ idleTtlMs: 1500 });
    });
    after(async () => {
      await short.close();
    });

    it('drops an idle session after its TTL, and touch slides it', async () => {
      const idle = newRecord('idle');
      const touched = newRecord('touched');
      const read = newRecord('read');
      await short.create(idle);
      await short.create(touched);
      await short.create(read);
      const keepTouching = setInterval(() => {
        void short.touch(touched.id, Date.now());
        void short.getAndTouch(read.id, Date.now());
      }, 300);
      try {
        await waitFor(async () => (await short.get(idle.id)) === undefined, {
          timeoutMs: 10000,
          what: 'the idle session to expire',
        });
        assert.ok(await short.get(touched.id), 'a touched session outlives the idle TTL');
        assert.ok(await short.get(read.id), 'getAndTouch slides the idle TTL too');
      } finally {
        clearInterval(keepTouching);
      }
      assert.equal(await short.touch(idle.id, Date.now()), false);
    });
  });

  if (subject.outage) {
    const outage = subject.outage;
    it('fails fast while its server is away, and recovers when it returns', async function () {
      this.timeout(60000);
      const record = newRecord();
      await store.create(record);
      await outage.stop();
      try {
        const started = Date.now();
        await assert.rejects(store.ping());
        await assert.rejects(store.get(record.id));
        assert.ok(Date.now() - started < 10000, 'calls fail within a bounded time, never hang');
      } finally {
        await outage.start();
      }
      await waitFor(() => store.ping().then(() => true), {
        timeoutMs: 30000,
        what: 'the store to reconnect',
      });
    });
  }
}
