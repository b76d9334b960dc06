import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { LabError } from '../../../../lab/errors.ts';
import { freePort } from '../../../../lab/process/ports.ts';
import { processState, signalService } from '../../../../lab/process/supervisor.ts';
import {
  redisInfo,
  RedisServer,
  type RedisPersistence,
} from '../../../../lab/services/redis-server.ts';
import { waitFor } from '../../../../lab/process/wait.ts';
import { StoreError, StoreOptionError, StoreUnavailableError } from '../../../../store/errors.ts';
import {
  RedisSessionStore,
  type RedisSessionStoreOptions,
} from '../../../../store/redis/session-store.ts';
import type { SessionRecord } from '../../../../store/session-store.ts';
import { sessionStoreContract } from '../../../contract/session-store.contract.ts';

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

describe('RedisSessionStore against a real redis-server', function () {
  this.timeout(20000);
  let root: string;
  let server: RedisServer;
  const servers: RedisServer[] = [];
  const stores: RedisSessionStore[] = [];
  let prefixes = 0;

  async function startServer(name: string, persistence: RedisPersistence): Promise<RedisServer> {
    const started = await RedisServer.start({
      dir: path.join(root, name),
      persistence,
      detached: false,
    });
    servers.push(started);
    return started;
  }

  /** A connected store with a key prefix of its own, closed in after(). */
  async function connectedStore(
    options: Partial<RedisSessionStoreOptions> = {},
    on: RedisServer = server,
  ): Promise<RedisSessionStore> {
    prefixes += 1;
    const store = new RedisSessionStore({
      url: on.url,
      idleTtlMs: 60000,
      keyPrefix: `sl:test${prefixes}:`,
      ...options,
    });
    stores.push(store);
    await store.connect();
    return store;
  }

  async function withClient<T>(body: (redis: Redis) => Promise<T>, on = server): Promise<T> {
    const redis = new Redis(on.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await redis.connect();
    try {
      return await body(redis);
    } finally {
      await redis.quit();
    }
  }

  /**
   * The running server's AOF state (INFO persistence, as the probe user: the
   * nodes' user may not run CONFIG) and the fsync policy its config file sets.
   */
  async function persistenceOf(
    on: RedisServer,
  ): Promise<{ aofEnabled: boolean; appendfsync: string | undefined }> {
    const info = await redisInfo(on.port, 'persistence', on.users.probe);
    const config = await readFile(path.join(on.dir, 'redis.conf'), 'utf8');
    return {
      aofEnabled: /^aof_enabled:1\r?$/m.test(info),
      appendfsync: /^appendfsync (\w+)$/m.exec(config)?.[1],
    };
  }

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'redis-store-it-'));
    server = await startServer('main', 'none');
  });

  after(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await Promise.all(servers.map((each) => each.stop()));
    const states = await Promise.all(servers.map((each) => processState(each.pid)));
    await rm(root, { recursive: true, force: true });
    assert.deepEqual(
      states,
      states.map(() => 'dead'),
      'every redis-server is gone after stop',
    );
  });

  describe('mode cas: the contract', () => {
    sessionStoreContract({
      create: ({ idleTtlMs }) => connectedStore({ idleTtlMs, mode: 'cas' }),
      atomicCompareAndSet: true,
      outage: { stop: () => server.stop(), start: () => server.restart() },
    });
  });

  describe('mode lww: the contract', () => {
    sessionStoreContract({
      create: ({ idleTtlMs }) => connectedStore({ idleTtlMs, mode: 'lww' }),
      atomicCompareAndSet: false,
      lastWriteWins: true,
    });
  });

  describe('writers that read the same version', () => {
    // Every writer reads first, then all write: the interleaving that loses
    // updates under lww, made deterministic.
    async function raceTwentyWriters(store: RedisSessionStore) {
      const record = newRecord();
      await store.create(record);
      const reads = await Promise.all(Array.from({ length: 20 }, () => store.get(record.id)));
      const results = await Promise.all(
        reads.map((read, index) => {
          assert.ok(read);
          const cart = { items: [...read.cart.items, { sku: `sku-${index}`, qty: 1 }], version: 1 };
          return store.set({ ...read, cart }, read.cart.version);
        }),
      );
      return { results, final: await store.get(record.id) };
    }

    it('lww accepts all twenty writes and keeps one: nineteen updates are lost', async () => {
      const { results, final } = await raceTwentyWriters(await connectedStore({ mode: 'lww' }));
      assert.deepEqual(new Set(results), new Set(['ok']));
      assert.equal(final?.cart.version, 1);
      assert.equal(final?.cart.items.length, 1, 'only the last write survives');
    });

    it('cas accepts exactly one of them and refuses the rest as conflicts', async () => {
      const { results, final } = await raceTwentyWriters(await connectedStore({ mode: 'cas' }));
      assert.equal(results.filter((result) => result === 'ok').length, 1);
      assert.equal(results.filter((result) => result === 'conflict').length, 19);
      assert.equal(final?.cart.items.length, 1);
    });
  });

  describe('keys and TTL', () => {
    it('stores one key per session with a TTL that touch and set slide', async () => {
      const store = await connectedStore({ idleTtlMs: 60000, keyPrefix: 'sl:ttl:' });
      const record = newRecord();
      const key = `sl:ttl:${record.id}`;
      await store.create(record);
      await withClient(async (redis) => {
        const ttl = await redis.pttl(key);
        assert.ok(ttl > 55000 && ttl <= 60000, `fresh TTL ${ttl}`);
        // Shorten the TTL as if the session had been idle, then use it.
        await redis.pexpire(key, 1000);
        assert.equal(await store.touch(record.id, record.lastSeenAt + 5), true);
        assert.ok((await redis.pttl(key)) > 55000, 'touch restarts the idle TTL');
        await redis.pexpire(key, 1000);
        const next = { ...record, cart: { items: [{ sku: 'a', qty: 1 }], version: 1 } };
        assert.equal(await store.set(next, 0), 'ok');
        assert.ok((await redis.pttl(key)) > 55000, 'set restarts the idle TTL');
      });
    });

    it('touch records lastSeenAt and leaves the rest of the record intact', async () => {
      const store = await connectedStore();
      const record = newRecord();
      await store.create(record);
      assert.equal(await store.touch(record.id, record.lastSeenAt + 1234), true);
      // Empty items must stay an array (a Lua JSON round trip would make it {}).
      assert.deepEqual(await store.get(record.id), {
        ...record,
        lastSeenAt: record.lastSeenAt + 1234,
      });
    });

    it('counts sessions over several SCAN steps and ignores keys of other prefixes', async () => {
      const store = await connectedStore();
      const other = await connectedStore();
      await other.create(newRecord());
      const records = Array.from({ length: 2500 }, () => newRecord());
      await Promise.all(records.map((record) => store.create(record)));
      assert.equal(await store.count(), 2500);
      assert.equal(await other.count(), 1);
    });
  });

  describe('failures', () => {
    it('rejects bad options at construction, saying what to fix', () => {
      const base = { url: 'redis://127.0.0.1:6379', idleTtlMs: 1000 };
      const cases: [Partial<RedisSessionStoreOptions>, RegExp][] = [
        [{ url: 'http://127.0.0.1:6379' }, /url must look like redis:\/\/host:port/],
        [{ url: 'redis://user:hunter2@' }, /url must look like/],
        [{ idleTtlMs: 0 }, /idleTtlMs must be an integer from 1/],
        [{ mode: 'fast' as 'cas' }, /mode must be 'cas' or 'lww'/],
        [{ keyPrefix: '' }, /keyPrefix must be a non-empty string/],
        [{ commandTimeoutMs: 1.5 }, /commandTimeoutMs must be an integer/],
      ];
      for (const [override, message] of cases) {
        assert.throws(
          () => new RedisSessionStore({ ...base, ...override }),
          (error: unknown) =>
            error instanceof StoreOptionError &&
            message.test(error.message) &&
            !error.message.includes('hunter2'),
        );
      }
    });

    it('fails fast with STORE_UNAVAILABLE and the reason when nothing listens', async () => {
      const port = await freePort();
      const store = new RedisSessionStore({ url: `redis://127.0.0.1:${port}`, idleTtlMs: 1000 });
      stores.push(store);
      const isUnreachable = (error: unknown) =>
        error instanceof StoreUnavailableError &&
        error.code === 'STORE_UNAVAILABLE' &&
        error.message.includes(`127.0.0.1:${port}`);
      const started = Date.now();
      await assert.rejects(store.connect(), isUnreachable);
      await assert.rejects(store.ping(), (error: unknown) => {
        return isUnreachable(error) && /ECONNREFUSED/.test((error as Error).message);
      });
      await assert.rejects(store.get('x'), isUnreachable);
      await assert.rejects(store.create(newRecord()), isUnreachable);
      assert.ok(Date.now() - started < 2000, 'no call waits for a reconnect');
    });

    it('times out with STORE_UNAVAILABLE while redis is paused, and works once resumed', async () => {
      const store = await connectedStore({ commandTimeoutMs: 200 });
      const record = newRecord();
      await store.create(record);
      await signalService(server.pid, server.spec, 'SIGSTOP');
      try {
        const started = Date.now();
        await assert.rejects(store.get(record.id), (error: unknown) => {
          return error instanceof StoreUnavailableError && /within 200 ms/.test(error.message);
        });
        assert.ok(Date.now() - started < 1500, 'the command timeout bounds the wait');
      } finally {
        await signalService(server.pid, server.spec, 'SIGCONT');
      }
      const back = await waitFor(() => store.get(record.id), {
        timeoutMs: 5000,
        what: 'the session after redis resumed',
      });
      assert.equal(back.id, record.id);
    });

    it('reports a value that is not a session record as STORE_REDIS_ERROR', async () => {
      const store = await connectedStore({ keyPrefix: 'sl:bad:' });
      await withClient((redis) => redis.set('sl:bad:garbage', 'not json'));
      await assert.rejects(store.get('garbage'), { code: 'STORE_REDIS_ERROR' });
      await assert.rejects(store.set({ ...newRecord(), id: 'garbage' }, 0), (error: unknown) => {
        return error instanceof StoreError && error.code === 'STORE_REDIS_ERROR';
      });
    });

    it('fails every call after close, and close does not hang when redis is gone', async () => {
      const store = await connectedStore();
      await store.close();
      await store.close();
      await assert.rejects(store.ping(), { code: 'STORE_UNAVAILABLE', message: /closed/ });
      const unreachable = new RedisSessionStore({
        url: `redis://127.0.0.1:${await freePort()}`,
        idleTtlMs: 1000,
      });
      await assert.rejects(unreachable.connect());
      await unreachable.close();
    });
  });

  describe('persistence across a restart', () => {
    it('aof-everysec: a session written before SIGTERM is there after the restart', async () => {
      const aof = await startServer('aof', 'aof-everysec');
      assert.deepEqual(await persistenceOf(aof), { aofEnabled: true, appendfsync: 'everysec' });
      const store = await connectedStore({}, aof);
      const record = newRecord();
      await store.create(record);
      await aof.stop();
      await aof.restart();
      const back = await waitFor(() => store.get(record.id), {
        timeoutMs: 10000,
        what: 'the session after the AOF restart',
      });
      assert.deepEqual(back, record);
    });

    it('aof-everysec: a SIGKILL loses at most the last second or so of writes', async function () {
      this.timeout(30000);
      const aof = await startServer('aof-kill', 'aof-everysec');
      const store = await connectedStore({}, aof);
      // Keep writing for 3 s, remembering when each write was acknowledged.
      const written: { id: string; at: number }[] = [];
      const until = Date.now() + 3000;
      while (Date.now() < until) {
        const record = newRecord();
        await store.create(record);
        written.push({ id: record.id, at: Date.now() });
      }
      process.kill(aof.pid, 'SIGKILL');
      const killedAt = Date.now();
      await waitFor(async () => (await processState(aof.pid)) === 'dead', {
        timeoutMs: 5000,
        what: 'redis to die',
      });
      await aof.restart();
      await waitFor(() => store.ping().then(() => true), { timeoutMs: 10000, what: 'reconnect' });
      // In batches: thousands of GETs at once would outlast the 500 ms command timeout.
      const lost: { id: string; at: number }[] = [];
      for (let start = 0; start < written.length; start += 200) {
        const batch = written.slice(start, start + 200);
        const found = await Promise.all(batch.map(({ id }) => store.get(id)));
        lost.push(...batch.filter((_, index) => found[index] === undefined));
      }
      // everysec fsyncs once a second; allow one more second for a busy machine.
      const oldestLost = lost.length > 0 ? Math.min(...lost.map(({ at }) => at)) : killedAt;
      assert.ok(
        killedAt - oldestLost <= 2000,
        `lost ${lost.length} of ${written.length} writes, the oldest ${killedAt - oldestLost} ms before the kill`,
      );
      assert.ok(lost.length < written.length, 'most writes survived');
    });

    it('none: every session is gone after a restart', async () => {
      const volatile = await startServer('volatile', 'none');
      const store = await connectedStore({}, volatile);
      const record = newRecord();
      await store.create(record);
      await volatile.stop();
      await volatile.restart();
      await waitFor(() => store.ping().then(() => true), { timeoutMs: 10000, what: 'reconnect' });
      assert.equal(await store.get(record.id), undefined);
    });
  });

  describe('the redis-server service', () => {
    it('writes its own loopback config into its own folder', async () => {
      const config = await readFile(path.join(server.dir, 'redis.conf'), 'utf8');
      for (const line of [
        'bind 127.0.0.1',
        `port ${server.port}`,
        'protected-mode yes',
        'save ""',
      ]) {
        assert.ok(config.split('\n').includes(line), `config has ${line}`);
      }
      assert.equal(server.address, `redis://127.0.0.1:${server.port}`);
      const { username, password } = server.users.app;
      assert.equal(server.url, `redis://${username}:${password}@127.0.0.1:${server.port}`);
    });

    it('aof-always turns on appendonly with an fsync per write', async () => {
      const always = await startServer('always', 'aof-always');
      assert.deepEqual(await persistenceOf(always), { aofEnabled: true, appendfsync: 'always' });
      await always.stop();
    });

    it('fails at once, with its log, when its port is taken', async () => {
      await assert.rejects(
        RedisServer.start({ dir: path.join(root, 'clash'), port: server.port, detached: false }),
        (error: unknown) => {
          return (
            error instanceof LabError && error.code === 'DIED' && /in use/i.test(error.hint ?? '')
          );
        },
      );
    });
  });
});
