import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../lab/process/ports.ts';
import { processState } from '../../../lab/process/supervisor.ts';
import {
  startHazelcastCluster,
  type HazelcastCluster,
} from '../../../lab/services/hazelcast-member.ts';
import { waitFor } from '../../../lab/process/wait.ts';
import { StoreUnavailableError } from '../../../store/errors.ts';
import { probeMember } from '../../../store/hazelcast/client.ts';
import {
  PartitionedSessionStore,
  type PartitionedSessionStoreOptions,
} from '../../../store/hazelcast/partitioned-store.ts';
import { ReplicatedSessionStore } from '../../../store/hazelcast/replicated-store.ts';
import type { SessionRecord, SessionStore, SetResult } from '../../../store/session-store.ts';
import { sessionStoreContract } from '../../contract/session-store.contract.ts';

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

/**
 * Reads every session, retrying only while the store is unavailable (the
 * cluster failing over). A session read as gone is a lost session: no retry.
 */
async function readWithoutLoss(store: SessionStore, records: SessionRecord[], what: string) {
  const read = await waitFor<(SessionRecord | undefined)[]>(
    () =>
      Promise.all(records.map((record) => store.get(record.id))).catch((error: unknown) => {
        if (error instanceof StoreUnavailableError) return false;
        throw error;
      }),
    { timeoutMs: 20000, intervalMs: 200, what },
  );
  const lost = records.filter((_, index) => read[index] === undefined).length;
  assert.equal(lost, 0, `${what}: ${lost} of ${records.length} sessions lost`);
  assert.deepEqual(read, records);
}

/** Waits until every session has reached the store (asynchronous replication). */
async function waitArrived(store: SessionStore, records: SessionRecord[], what: string) {
  await waitFor(
    async () => {
      const read = await Promise.all(records.map((record) => store.get(record.id)));
      return read.every((record) => record !== undefined);
    },
    { timeoutMs: 10000, intervalMs: 100, what },
  );
}

/** Waits for the session to expire; it must not go before `idleMs` since `since`, nor linger. */
async function expiresInTime(store: SessionStore, id: string, since: number, idleMs: number) {
  await waitFor(async () => (await store.get(id)) === undefined, {
    timeoutMs: idleMs + 4000,
    intervalMs: 20,
    what: 'the session to expire',
  });
  const lived = Date.now() - since;
  assert.ok(lived >= idleMs, `expired after ${lived} ms, before its ${idleMs} ms idle timeout`);
}

/** Local addresses of every listening TCP socket, by port (IPv4 and IPv6, from /proc). */
async function listeningAddresses(): Promise<Map<number, string[]>> {
  const byPort = new Map<number, string[]>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const rows = (await readFile(table, 'utf8')).trim().split('\n').slice(1);
    for (const row of rows) {
      const [, local, , state] = row.trim().split(/\s+/);
      if (state !== '0A' || local === undefined) continue; // 0A: LISTEN
      const [hex, port] = local.split(':') as [string, string];
      const address =
        hex.length === 8
          ? (hex.match(/../g) ?? [])
              .reverse()
              .map((byte) => parseInt(byte, 16))
              .join('.')
          : hex === '0'.repeat(32)
            ? '::'
            : `ipv6:${hex}`;
      const list = byPort.get(parseInt(port, 16)) ?? [];
      list.push(address);
      byPort.set(parseInt(port, 16), list);
    }
  }
  return byPort;
}

describe('Hazelcast session stores on a real 2-member cluster', function () {
  this.timeout(60000);
  let dir: string;
  let cluster: HazelcastCluster;
  let opened: SessionStore[] = [];
  const pids = new Set<number>();

  async function replicated(memberIndex: number, idleTimeoutMs = 60000) {
    const store = new ReplicatedSessionStore({
      clusterName: cluster.clusterName,
      member: cluster.members[memberIndex]!.address,
      idleTimeoutMs,
    });
    opened.push(store);
    await store.connect();
    return store;
  }

  async function partitioned(options: Partial<PartitionedSessionStoreOptions> = {}) {
    const store = new PartitionedSessionStore({
      clusterName: cluster.clusterName,
      members: cluster.addresses,
      idleTimeoutMs: 60000,
      ...options,
    });
    opened.push(store);
    await store.connect();
    return store;
  }

  const outage = {
    stop: async () => {
      for (const member of cluster.members) pids.add(member.pid);
      await cluster.stop();
    },
    start: () => cluster.start(),
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lab-hz-'));
    cluster = await startHazelcastCluster({ size: 2, dir, detached: false });
  });

  afterEach(async () => {
    await Promise.all(opened.map((store) => store.close()));
    opened = [];
  });

  after(async () => {
    if (cluster) {
      for (const member of cluster.members) pids.add(member.pid);
      await cluster.stop();
    }
    const states = await Promise.all([...pids].map((pid) => processState(pid)));
    await rm(dir, { recursive: true, force: true });
    assert.deepEqual(
      states,
      states.map(() => 'dead'),
      'no member process outlives the tests',
    );
  });

  describe('what keeps other local users out (no auth in the community edition)', () => {
    it('a client with another cluster name is refused by the members', async () => {
      const member = cluster.members[0]!.address;
      const wrong = 'session-lab-0000000000000000ffffffffffffffff';
      const strangers = [
        new ReplicatedSessionStore({
          clusterName: wrong,
          member,
          idleTimeoutMs: 1000,
          connectWaitMs: 2000,
        }),
        new PartitionedSessionStore({
          clusterName: wrong,
          members: cluster.addresses,
          idleTimeoutMs: 1000,
          connectWaitMs: 2000,
        }),
      ];
      opened.push(...strangers);
      for (const stranger of strangers) {
        await assert.rejects(stranger.connect(), StoreUnavailableError);
        await assert.rejects(stranger.get('any'), { code: 'STORE_UNAVAILABLE' });
      }
      // A bare client too; the same member takes one that knows the name.
      await assert.rejects(probeMember(wrong, member, 2000));
      assert.equal(await probeMember(cluster.clusterName, member, 5000), 2);
    });

    it('members listen on loopback only, and their configs are readable by their user alone', async () => {
      assert.match(cluster.clusterName, /^session-lab-[0-9a-f]{32}$/);
      const listening = await listeningAddresses();
      for (const member of cluster.members) {
        assert.deepEqual(listening.get(member.port), ['127.0.0.1'], `${member.id} binds`);
        const config = member.spec.args.find((arg) => arg.startsWith('-Dhazelcast.config='))!;
        const file = config.slice('-Dhazelcast.config='.length);
        assert.equal((await stat(file)).mode & 0o777, 0o600, `${file} is 0600`);
        assert.ok(!member.spec.args.join(' ').includes(cluster.clusterName), 'no name on argv');
      }
    });
  });

  describe('partitioned: IMap with a synchronous backup', () => {
    sessionStoreContract({
      create: ({ idleTtlMs }) => partitioned({ idleTimeoutMs: idleTtlMs }),
      atomicCompareAndSet: true,
      outage,
    });

    it('a write slides the expiry and never makes a session immortal', async () => {
      // An IMap replace resets the entry's TTL; the store must set it again.
      const store = await partitioned({ idleTimeoutMs: 1000 });
      const record = newRecord();
      await store.create(record);
      const next = { ...record, cart: { items: [{ sku: 'a', qty: 1 }], version: 1 } };
      assert.equal(await store.set(next, 0), 'ok');
      await expiresInTime(store, record.id, Date.now(), 1000);
    });
  });

  describe('partitioned with a Near Cache', () => {
    sessionStoreContract({
      create: ({ idleTtlMs }) => partitioned({ idleTimeoutMs: idleTtlMs, nearCache: true }),
      atomicCompareAndSet: true,
    });
  });

  describe('replicated: ReplicatedMap, each client on its own member', () => {
    sessionStoreContract({
      create: ({ idleTtlMs }) => replicated(0, idleTtlMs),
      atomicCompareAndSet: false,
      outage,
    });

    it('a session written through member A is read through member B', async () => {
      const [viaA, viaB] = [await replicated(0), await replicated(1)];
      const record = newRecord();
      await viaA.create(record);
      await waitFor(async () => (await viaB.get(record.id)) !== undefined, {
        timeoutMs: 5000,
        what: 'the session to reach member B',
      });
      assert.deepEqual(await viaB.get(record.id), record);
      const next = { ...record, cart: { items: [{ sku: 'b', qty: 1 }], version: 1 } };
      assert.equal(await viaA.set(next, 0), 'ok');
      await waitFor(async () => (await viaB.get(record.id))?.cart.version === 1, {
        timeoutMs: 5000,
        what: 'the update to reach member B',
      });
    });
  });

  describe('expiry timing', () => {
    it('partitioned: a session expires no earlier than its idle timeout, and soon after', async () => {
      const store = await partitioned({ idleTimeoutMs: 1500 });
      const record = newRecord();
      const written = Date.now();
      await store.create(record);
      await expiresInTime(store, record.id, written, 1500);
    });

    it('replicated: a session expires no earlier than its idle timeout, and soon after', async () => {
      const store = await replicated(1, 1500);
      const record = newRecord();
      const written = Date.now();
      await store.create(record);
      await expiresInTime(store, record.id, written, 1500);
    });
  });

  describe('two writers of one cart at once (read all first, then write all)', () => {
    /** Each writer reads, then all write version 1 on top of what they read. */
    async function raceWriters(stores: SessionStore[], id: string) {
      const writers = Array.from({ length: 10 }, (_, index) => ({
        store: stores[index % stores.length]!,
        sku: `sku-${index}`,
      }));
      const read = await Promise.all(writers.map(({ store }) => store.get(id)));
      const results = await Promise.all(
        writers.map(({ store, sku }, index): Promise<SetResult> => {
          const base = read[index]!;
          const cart = { items: [...base.cart.items, { sku, qty: 1 }], version: 1 };
          return store.set({ ...base, cart }, 0);
        }),
      );
      return writers.filter((_, index) => results[index] === 'ok').map(({ sku }) => sku);
    }

    it('replicated accepts several of them: all but one accepted update is lost', async () => {
      const [viaA, viaB] = [await replicated(0), await replicated(1)];
      const record = newRecord();
      await viaA.create(record);
      await waitFor(async () => (await viaB.get(record.id)) !== undefined, {
        timeoutMs: 5000,
        what: 'the session to reach member B',
      });
      const accepted = await raceWriters([viaA, viaB], record.id);
      // Replication is asynchronous: wait until both members agree on a value.
      const final = await waitFor(
        async () => {
          const [a, b] = [await viaA.get(record.id), await viaB.get(record.id)];
          return JSON.stringify(a) === JSON.stringify(b) && a;
        },
        { timeoutMs: 5000, what: 'members A and B to agree' },
      );
      assert.ok(
        accepted.length >= 2,
        `expected lost updates, ${accepted.length} write(s) accepted`,
      );
      assert.equal(final.cart.version, 1, 'every accepted write claimed version 1');
      assert.equal(final.cart.items.length, 1, 'only one accepted write survives');
    });

    it('partitioned accepts exactly one and refuses the others: no update is lost', async () => {
      const stores = [await partitioned(), await partitioned()];
      const record = newRecord();
      await stores[0]!.create(record);
      const accepted = await raceWriters(stores, record.id);
      assert.equal(accepted.length, 1, `accepted: ${accepted.join(', ')}`);
      const final = await stores[1]!.get(record.id);
      assert.deepEqual(final?.cart, { items: [{ sku: accepted[0], qty: 1 }], version: 1 });
    });
  });

  describe('SIGKILL of one member of two', () => {
    it('loses no session in either variant, and the member rejoins', async function () {
      const [viaA, viaB, spread] = [await replicated(0), await replicated(1), await partitioned()];
      const replicatedRecords = Array.from({ length: 30 }, () => newRecord('r'));
      const partitionedRecords = Array.from({ length: 30 }, () => newRecord('p'));
      await Promise.all(replicatedRecords.map((record) => viaA.create(record)));
      await Promise.all(partitionedRecords.map((record) => spread.create(record)));
      // Only what reached B can survive A: replication is asynchronous.
      await waitArrived(viaB, replicatedRecords, 'every replicated session on member B');

      const victim = cluster.members[0]!;
      pids.add(victim.pid);
      await victim.kill();

      await readWithoutLoss(spread, partitionedRecords, 'partitioned sessions after the kill');
      await readWithoutLoss(viaB, replicatedRecords, 'replicated sessions on the survivor');
      // The client beside the dead member moves to the member it learned of.
      await readWithoutLoss(
        viaA,
        replicatedRecords,
        'replicated sessions via the dead member’s client',
      );

      await victim.restart(2);
      const viaRestarted = await replicated(0);
      await readWithoutLoss(
        viaRestarted,
        replicatedRecords,
        'replicated sessions on the rejoined member',
      );
      await readWithoutLoss(spread, partitionedRecords, 'partitioned sessions after the rejoin');
    });
  });

  describe('with no cluster at all', () => {
    it('fails fast with StoreUnavailableError and closes without hanging', async () => {
      const nobody = `127.0.0.1:${await freePort()}`;
      const stores = [
        new ReplicatedSessionStore({
          clusterName: 'nobody',
          member: nobody,
          idleTimeoutMs: 1000,
          connectWaitMs: 500,
        }),
        new PartitionedSessionStore({
          clusterName: 'nobody',
          members: [nobody],
          idleTimeoutMs: 1000,
          connectWaitMs: 500,
        }),
      ];
      opened.push(...stores);
      for (const store of stores) {
        await assert.rejects(
          store.connect(),
          (error: unknown) =>
            // The cluster name reaches clients through /readyz: never in the message.
            error instanceof StoreUnavailableError && !error.message.includes('nobody'),
        );
        const started = Date.now();
        await assert.rejects(store.get('x'), { code: 'STORE_UNAVAILABLE' });
        await assert.rejects(store.ping(), { code: 'STORE_UNAVAILABLE' });
        assert.ok(Date.now() - started < 5000, 'calls fail within the operation timeout');
        await store.close();
        await assert.rejects(store.get('x'), { code: 'STORE_UNAVAILABLE' });
      }
    });
  });
});
