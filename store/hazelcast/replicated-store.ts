/**
 * Variant `replicated` (the default) of the `clustered` strategy: the
 * textbook picture of session clustering, every server holds every session.
 *
 * Sessions live in a Hazelcast ReplicatedMap, one member beside each node.
 * Each node's client talks to its own member only (the configured address,
 * unisocket), so reads and writes are answered from that member's full local
 * copy; the member copies each write to every other member asynchronously.
 *
 * What it guarantees, and what it does not (the lab measures these, so
 * nothing here hides them):
 * - Losing members loses no session as long as one member that had received
 *   it survives: every member holds a full copy.
 * - Replication is asynchronous: a write acknowledged by member A reaches B a
 *   moment later, so a read through B right after may be stale or miss a
 *   just-created session; a member that dies before replicating loses the
 *   writes it acknowledged alone.
 * - No compare-and-set: ReplicatedMap has neither `replace(key, old, new)`
 *   nor `putIfAbsent`. `set` reads, compares the version, then puts; two
 *   writers (above all through two members) can both pass the check, and one
 *   update is lost. `touch` is a read then a re-put (ReplicatedMap cannot
 *   change a TTL alone), so it can also undo a write that lands in between.
 *   `create` checks then puts; the race is harmless only because ids are
 *   128-bit random and never reused.
 * - Expiry: each put carries the idle TTL; every member drops the entry on
 *   its own, within about a second after the TTL (a background task).
 * - When its member dies, Hazelcast's client moves to another member it has
 *   learned of, so the node keeps serving through another member's copy.
 */
import type { Client, ReplicatedMap } from 'hazelcast-client';
import { SessionExistsError } from '../errors.ts';
import type { SessionRecord, SessionStore, SetResult } from '../session-store.ts';
import { HazelcastConnection } from './client.ts';
import { decodeSession, encodeSession } from './codec.ts';
import { HazelcastMapStore } from './map-store.ts';
import { checkStoreOptions, type HazelcastStoreOptions } from './options.ts';

export interface ReplicatedSessionStoreOptions extends HazelcastStoreOptions {
  /** `host:port` of the member beside this node; the client contacts it alone. */
  member: string;
}

type Sessions = ReplicatedMap<string, string>;

const OWNER = 'replicated session store';

/**
 * See the comment at the top of the file. Call `connect()` before use.
 * `count` is the sessions held by this
 * node's member (all of them, once replication has caught up).
 */
export class ReplicatedSessionStore extends HazelcastMapStore<Sessions> implements SessionStore {
  readonly #ttlMs: number;

  constructor(options: ReplicatedSessionStoreOptions) {
    const { idleTimeoutMs, mapName } = checkStoreOptions(OWNER, options);
    super(
      new HazelcastConnection(OWNER, {
        ...options,
        members: [options.member],
        smartRouting: false,
      }),
      mapName,
    );
    this.#ttlMs = idleTimeoutMs;
  }

  get(id: string): Promise<SessionRecord | undefined> {
    return this.call('get', async (sessions) => {
      const value = await sessions.get(id);
      return value == null ? undefined : decodeSession(id, value);
    });
  }

  create(record: SessionRecord): Promise<void> {
    return this.call('create', async (sessions) => {
      if (await sessions.containsKey(record.id)) throw new SessionExistsError(record.id);
      await sessions.put(record.id, encodeSession(record), this.#ttlMs);
    });
  }

  set(record: SessionRecord, expectedVersion: number): Promise<SetResult> {
    return this.call('set', async (sessions): Promise<SetResult> => {
      const stored = await sessions.get(record.id);
      if (stored == null) return 'missing';
      if (decodeSession(record.id, stored).cart.version !== expectedVersion) return 'conflict';
      // Not atomic with the check above: see the comment at the top of the file.
      await sessions.put(record.id, encodeSession(record), this.#ttlMs);
      return 'ok';
    });
  }

  destroy(id: string): Promise<boolean> {
    return this.call('destroy', async (sessions) => (await sessions.remove(id)) != null);
  }

  /** A get and a re-put (ReplicatedMap cannot change a TTL alone); see touch. */
  getAndTouch(id: string, now: number): Promise<SessionRecord | undefined> {
    return this.call('touch+get', async (sessions) => {
      const stored = await sessions.get(id);
      if (stored == null) return undefined;
      const record = decodeSession(id, stored);
      record.lastSeenAt = now;
      await sessions.put(id, encodeSession(record), this.#ttlMs);
      return record;
    });
  }

  touch(id: string, now: number): Promise<boolean> {
    return this.call('touch', async (sessions) => {
      const stored = await sessions.get(id);
      if (stored == null) return false;
      const record = decodeSession(id, stored);
      record.lastSeenAt = now;
      await sessions.put(id, encodeSession(record), this.#ttlMs);
      return true;
    });
  }

  protected openMap(client: Client, mapName: string): Promise<Sessions> {
    return client.getReplicatedMap(mapName);
  }
}
