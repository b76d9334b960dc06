/**
 * Variant `partitioned` of the `clustered` strategy: sessions live in a
 * Hazelcast IMap, each one on one owner member plus one synchronous backup
 * (member config: backup-count 1, async-backup-count 0). The client is smart:
 * it connects to every member and sends each call to the session's owner.
 *
 * What it guarantees:
 * - Losing one member loses no acknowledged write: a write returns only once
 *   the backup holds it, and the backup takes over. Losing two members at
 *   once loses the sessions they both held.
 * - Reads see the latest acknowledged write (owner reads, no backup reads),
 *   unless the Near Cache is on (option `nearCache`): then a node may serve a
 *   read from its local copy until the invalidation arrives (members batch
 *   invalidations) or the copy is 5 s old. Writes stay correct either way:
 *   the compare-and-set below runs on the owner.
 * - `set` is an atomic compare-and-set: `replaceIfSame(key, stored, next)`
 *   on the JSON string that was read, so of two concurrent writers of one
 *   version exactly one wins and the other gets 'conflict'. No update is lost.
 * - `create` is `putIfAbsent`: an existing id is refused atomically.
 * - Expiry: a per-entry TTL. IMap expiry has one-second resolution and was
 *   seen to fire up to a second before the TTL, so the TTL is the idle
 *   timeout rounded up to whole seconds plus one second: a session never
 *   expires early, and may outlive its idle timeout by up to ~2 s. `touch` is
 *   `setTtl`: it slides the expiry without rewriting the record, so it can
 *   never undo a concurrent write (the stored `lastSeenAt` moves with `set`).
 *   A replace resets the TTL to the map's default, so `set` restores it right
 *   after; should that second call fail, the map's safety TTL bounds the leak.
 */
import type { Client, IMap } from 'hazelcast-client';
import { SessionExistsError } from '../errors.ts';
import type { SessionRecord, SessionStore, SetResult } from '../session-store.ts';
import { HazelcastConnection } from './client.ts';
import { decodeSession, encodeSession } from './codec.ts';
import { HazelcastMapStore } from './map-store.ts';
import { checkStoreOptions, type HazelcastStoreOptions } from './options.ts';

export interface PartitionedSessionStoreOptions extends HazelcastStoreOptions {
  /** `host:port` of members to contact first; the client then finds every member. */
  members: string[];
  /** Serve reads from a client-side Near Cache (may be stale, see above). Default false. */
  nearCache?: boolean;
}

type Sessions = IMap<string, string>;

const OWNER = 'partitioned session store';

/**
 * See the comment at the top of the file. Call `connect()` before use.
 * `count` is the live sessions in the
 * whole cluster.
 */
export class PartitionedSessionStore extends HazelcastMapStore<Sessions> implements SessionStore {
  readonly #ttlMs: number;

  constructor(options: PartitionedSessionStoreOptions) {
    const { idleTimeoutMs, mapName } = checkStoreOptions(OWNER, options);
    super(
      new HazelcastConnection(OWNER, {
        ...options,
        smartRouting: true,
        nearCacheMaps: options.nearCache === true ? [mapName] : [],
      }),
      mapName,
    );
    this.#ttlMs = (Math.ceil(idleTimeoutMs / 1000) + 1) * 1000;
  }

  get(id: string): Promise<SessionRecord | undefined> {
    return this.call('get', async (sessions) => {
      const value = await sessions.get(id);
      return value == null ? undefined : decodeSession(id, value);
    });
  }

  create(record: SessionRecord): Promise<void> {
    return this.call('create', async (sessions) => {
      const previous = await sessions.putIfAbsent(record.id, encodeSession(record), this.#ttlMs);
      if (previous != null) throw new SessionExistsError(record.id);
    });
  }

  set(record: SessionRecord, expectedVersion: number): Promise<SetResult> {
    return this.call('set', async (sessions): Promise<SetResult> => {
      // From the owner, never the Near Cache: a stale base would fail the
      // replace again and again until the invalidation arrived.
      const stored = (await sessions.getEntryView(record.id))?.value;
      if (stored == null) return 'missing';
      if (decodeSession(record.id, stored).cart.version !== expectedVersion) return 'conflict';
      if (!(await sessions.replaceIfSame(record.id, stored, encodeSession(record)))) {
        // Changed (conflict) or expired/destroyed (missing) since the read.
        return (await sessions.containsKey(record.id)) ? 'conflict' : 'missing';
      }
      await sessions.setTtl(record.id, this.#ttlMs);
      return 'ok';
    });
  }

  destroy(id: string): Promise<boolean> {
    return this.call('destroy', async (sessions) => (await sessions.remove(id)) != null);
  }

  /**
   * The read and the TTL slide go out together (two calls, one wait). As in
   * touch, the stored lastSeenAt is not rewritten; the copy returned has `now`.
   */
  getAndTouch(id: string, now: number): Promise<SessionRecord | undefined> {
    return this.call('touch+get', async (sessions) => {
      const [value, alive] = await Promise.all([
        sessions.get(id),
        sessions.setTtl(id, this.#ttlMs),
      ]);
      if (value == null || !alive) return undefined;
      return { ...decodeSession(id, value), lastSeenAt: now };
    });
  }

  touch(id: string, _now: number): Promise<boolean> {
    return this.call('touch', (sessions) => sessions.setTtl(id, this.#ttlMs));
  }

  protected openMap(client: Client, mapName: string): Promise<Sessions> {
    return client.getMap(mapName);
  }
}
