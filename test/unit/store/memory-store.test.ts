import assert from 'node:assert/strict';
import { MemorySessionStore } from '../../../store/memory-store.ts';
import type { MemorySessionStoreOptions } from '../../../store/memory-store.ts';
import type { SessionRecord } from '../../../store/session-store.ts';
import { sessionStoreContract } from '../../contract/session-store.contract.ts';

describe('MemorySessionStore: SessionStore contract', function () {
  // The contract's expiry check waits out a real 1.5 s TTL.
  this.timeout(15_000);
  sessionStoreContract({
    create: ({ idleTtlMs }) =>
      Promise.resolve(new MemorySessionStore({ idleTimeoutMs: idleTtlMs })),
    atomicCompareAndSet: true,
  });
});

let nextId = 0;

/** A record with a unique id; `overrides` replace fields. */
function sampleRecord(overrides: Partial<SessionRecord> = {}): SessionRecord {
  nextId += 1;
  return {
    id: `id-${nextId}`,
    user: 'alice',
    createdAt: 0,
    lastSeenAt: 0,
    cart: { items: [], version: 0 },
    ...overrides,
  };
}

/** A clock the test moves by hand. */
function manualClock(start = 0) {
  const clock = { now: start, read: () => clock.now };
  return clock;
}

/** Polls until `check` holds, failing after `timeoutMs`; for timers the test cannot drive. */
async function waitFor(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('MemorySessionStore', () => {
  const stores: MemorySessionStore[] = [];
  const clock = manualClock();

  function makeStore(options: Partial<MemorySessionStoreOptions> = {}): MemorySessionStore {
    const store = new MemorySessionStore({ idleTimeoutMs: 1_000, now: clock.read, ...options });
    stores.push(store);
    return store;
  }

  beforeEach(() => {
    clock.now = 0;
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((store) => store.close()));
  });

  describe('beyond the shared contract', () => {
    it('refuses a live id with code SESSION_EXISTS', async () => {
      const store = makeStore();
      const record = sampleRecord();
      await store.create(record);
      await assert.rejects(store.create(record), { code: 'SESSION_EXISTS' });
    });

    it('of two writers that read the same version, exactly one wins', async () => {
      const store = makeStore();
      const record = sampleRecord();
      await store.create(record);
      const write = (sku: string) =>
        store.set({ ...record, cart: { items: [{ sku, qty: 1 }], version: 1 } }, 0);
      const results = await Promise.all([write('a'), write('b')]);
      assert.deepEqual([...results].sort(), ['conflict', 'ok']);
    });

    it('keeps a copy of what create and set are given, not the caller’s object', async () => {
      const store = makeStore();
      const record = sampleRecord();
      const original = structuredClone(record);
      await store.create(record);
      record.user = 'mallory';
      record.cart.items.push({ sku: 'sneaked-in', qty: 1 });
      assert.deepEqual(await store.get(record.id), original);

      const next: SessionRecord = { ...original, cart: { items: [], version: 1 } };
      await store.set(next, 0);
      next.cart.items.push({ sku: 'sneaked-in', qty: 1 });
      assert.deepEqual((await store.get(record.id))?.cart, { items: [], version: 1 });
    });

    it('touch records lastSeenAt', async () => {
      const store = makeStore();
      const record = sampleRecord();
      await store.create(record);
      assert.equal(await store.touch(record.id, 500), true);
      assert.equal((await store.get(record.id))?.lastSeenAt, 500);
    });

    it('rejects every call with STORE_UNAVAILABLE once closed; close is idempotent', async () => {
      const store = makeStore();
      await store.close();
      await store.close();
      await assert.rejects(store.ping(), { code: 'STORE_UNAVAILABLE' });
      await assert.rejects(store.get('any'), { code: 'STORE_UNAVAILABLE' });
      await assert.rejects(store.create(sampleRecord()), { code: 'STORE_UNAVAILABLE' });
      await assert.rejects(store.set(sampleRecord(), 0), { code: 'STORE_UNAVAILABLE' });
    });
  });

  describe('idle expiry', () => {
    it('drops a session idle for idleTimeoutMs and counts it as expired', async () => {
      const store = makeStore();
      const record = sampleRecord();
      await store.create(record);
      clock.now = 999;
      assert.ok(await store.get(record.id));
      clock.now = 1_000;
      assert.equal(await store.get(record.id), undefined);
      assert.equal(await store.touch(record.id, clock.now), false);
      assert.deepEqual(store.stats(), { evictions: 0, expirations: 1 });
    });

    it('touch slides the expiry', async () => {
      const store = makeStore();
      const record = sampleRecord();
      await store.create(record);
      clock.now = 800;
      assert.equal(await store.touch(record.id, clock.now), true);
      clock.now = 1_700;
      assert.ok(await store.get(record.id), 'alive 900 ms after the touch');
      clock.now = 1_800;
      assert.equal(await store.get(record.id), undefined);
    });

    it('set slides the expiry', async () => {
      const store = makeStore();
      const record = sampleRecord();
      await store.create(record);
      clock.now = 800;
      assert.equal(await store.set({ ...record, cart: { items: [], version: 1 } }, 0), 'ok');
      clock.now = 1_500;
      assert.ok(await store.get(record.id));
    });

    it('get does not slide the expiry', async () => {
      const store = makeStore();
      const record = sampleRecord();
      await store.create(record);
      clock.now = 800;
      assert.ok(await store.get(record.id));
      clock.now = 1_000;
      assert.equal(await store.get(record.id), undefined);
    });

    it('does not count expired sessions nobody asked for', async () => {
      const store = makeStore();
      await store.create(sampleRecord());
      clock.now = 500;
      await store.create(sampleRecord());
      clock.now = 1_200;
      assert.equal(await store.count(), 1);
      assert.equal(store.stats().expirations, 1);
    });

    it('lets an expired id be created again', async () => {
      const store = makeStore();
      const record = sampleRecord();
      await store.create(record);
      clock.now = 2_000;
      await store.create({ ...record, user: 'bob' });
      assert.equal((await store.get(record.id))?.user, 'bob');
    });

    it('sweeps expired sessions periodically, without being asked', async () => {
      const store = makeStore({ sweepIntervalMs: 5 });
      await store.create(sampleRecord());
      clock.now = 5_000;
      await waitFor(() => store.stats().expirations === 1);
    });
  });

  describe('bounded size', () => {
    it('evicts the least recently used session when full, and counts it', async () => {
      const store = makeStore({ maxEntries: 3, idleTimeoutMs: 60_000 });
      const [a, b, c, d] = [sampleRecord(), sampleRecord(), sampleRecord(), sampleRecord()];
      for (const record of [a, b, c]) await store.create(record);
      await store.touch(a.id, 1); // a is now more recent than b and c
      await store.create(d);
      assert.equal(await store.get(b.id), undefined, 'b was the least recently used');
      for (const record of [a, c, d]) assert.ok(await store.get(record.id));
      assert.equal(await store.count(), 3);
      assert.deepEqual(store.stats(), { evictions: 1, expirations: 0 });
    });

    it('drops expired sessions before evicting live ones', async () => {
      const store = makeStore({ maxEntries: 2 });
      const [a, b, c] = [sampleRecord(), sampleRecord(), sampleRecord()];
      await store.create(a);
      clock.now = 600;
      await store.create(b);
      clock.now = 1_100; // a expired, b still live
      await store.create(c);
      assert.ok(await store.get(b.id));
      assert.ok(await store.get(c.id));
      assert.deepEqual(store.stats(), { evictions: 0, expirations: 1 });
    });
  });

  describe('options', () => {
    const bad: [string, Partial<MemorySessionStoreOptions>, RegExp][] = [
      ['idleTimeoutMs missing', { idleTimeoutMs: undefined }, /idleTimeoutMs must be an integer/],
      ['idleTimeoutMs 0', { idleTimeoutMs: 0 }, /idleTimeoutMs must be an integer from 1/],
      ['idleTimeoutMs fractional', { idleTimeoutMs: 1.5 }, /idleTimeoutMs/],
      ['maxEntries 0', { maxEntries: 0 }, /maxEntries must be an integer from 1/],
      ['maxEntries NaN', { maxEntries: Number.NaN }, /maxEntries/],
      [
        'sweepIntervalMs too large',
        { sweepIntervalMs: 2 ** 31 },
        /sweepIntervalMs .* to 2147483647/,
      ],
      ['now not a function', { now: 5 as unknown as () => number }, /now must be a function/],
    ];
    for (const [what, options, message] of bad) {
      it(`throws at once with STORE_BAD_OPTION when ${what}`, () => {
        assert.throws(
          () => new MemorySessionStore({ idleTimeoutMs: 1_000, ...options }),
          (error: Error & { code?: string }) => {
            assert.equal(error.code, 'STORE_BAD_OPTION');
            assert.match(error.message, message);
            return true;
          },
        );
      });
    }
  });

  describe('sweep timer', () => {
    it('is unref’d while open and cleared by close', async () => {
      const realSet = globalThis.setInterval;
      const realClear = globalThis.clearInterval;
      const created: NodeJS.Timeout[] = [];
      const cleared: unknown[] = [];
      globalThis.setInterval = (...args: Parameters<typeof setInterval>) => {
        const timer = realSet(...args);
        created.push(timer);
        return timer;
      };
      globalThis.clearInterval = ((timer: NodeJS.Timeout | undefined) => {
        cleared.push(timer);
        realClear(timer);
      }) as typeof clearInterval;
      try {
        const store = new MemorySessionStore({ idleTimeoutMs: 1_000 });
        assert.equal(created.length, 1);
        assert.equal(created[0]?.hasRef(), false, 'the sweep must not keep the process alive');
        assert.deepEqual(cleared, []);
        await store.close();
        assert.deepEqual(cleared, created);
      } finally {
        globalThis.setInterval = realSet;
        globalThis.clearInterval = realClear;
      }
    });
  });
});
