import { SessionExistsError, StoreOptionError, StoreUnavailableError } from './errors.ts';
import type { SessionRecord, SessionStore, SetResult } from './session-store.ts';

/** Options of {@link MemorySessionStore}; checked in the constructor. */
export interface MemorySessionStoreOptions {
  /** A session idle longer than this is gone (sliding: `create`, `set` and `touch` restart it). */
  idleTimeoutMs: number;
  /** Most sessions held at once; creating one more evicts the least recently used. Default 100 000. */
  maxEntries?: number;
  /** How often expired sessions nobody asks for are dropped. Default 60 s. */
  sweepIntervalMs?: number;
  /** Clock for expiry, epoch ms. Default: a monotonic clock, so wall-clock jumps expire nothing. */
  now?: () => number;
}

/** Counters a node exports as metrics; both only ever go up. */
export interface MemoryStoreStats {
  /** Live sessions dropped to make room (maxEntries reached). */
  evictions: number;
  /** Sessions dropped because they were idle longer than idleTimeoutMs. */
  expirations: number;
}

interface Entry {
  record: SessionRecord;
  expiresAt: number;
}

export const DEFAULT_MAX_ENTRIES = 100_000;
export const DEFAULT_SWEEP_INTERVAL_MS = 60_000;
// setInterval treats larger delays as 1 ms.
const MAX_TIMER_MS = 2_147_483_647;

const monotonicNow = (): number => performance.timeOrigin + performance.now();

/**
 * Node-local session store of the `sticky` strategy.
 *
 * The Map's insertion order is the recency order: `create`, `set` and `touch`
 * move an entry to the end and also restart its idle timer, so the first
 * entry is both the least recently used and the first to expire. That makes
 * eviction O(1) and a sweep O(expired). `get` does not count as use: reading
 * must not extend a session's life (the session layer touches explicitly).
 *
 * Records are copied in and out with structuredClone, so callers never share
 * state with the store (as with a networked store).
 */
export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #idleTimeoutMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #sweepTimer: NodeJS.Timeout;
  #evictions = 0;
  #expirations = 0;
  #closed = false;

  constructor(options: MemorySessionStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new StoreOptionError('MemorySessionStore: pass an options object with idleTimeoutMs');
    }
    this.#idleTimeoutMs = checkInteger('idleTimeoutMs', options.idleTimeoutMs, 1);
    this.#maxEntries = checkInteger('maxEntries', options.maxEntries ?? DEFAULT_MAX_ENTRIES, 1);
    const sweepMs = checkInteger(
      'sweepIntervalMs',
      options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS,
      1,
      MAX_TIMER_MS,
    );
    if (options.now !== undefined && typeof options.now !== 'function') {
      throw new StoreOptionError('MemorySessionStore: now must be a function returning epoch ms');
    }
    this.#now = options.now ?? monotonicNow;
    this.#sweepTimer = setInterval(() => this.#sweep(), sweepMs);
    // The sweep only frees memory; it must not keep a process alive.
    this.#sweepTimer.unref();
  }

  get(id: string): Promise<SessionRecord | undefined> {
    return this.#run(() => {
      const entry = this.#live(id);
      return entry && structuredClone(entry.record);
    });
  }

  create(record: SessionRecord): Promise<void> {
    return this.#run(() => {
      if (this.#live(record.id)) throw new SessionExistsError(record.id);
      if (this.#entries.size >= this.#maxEntries) this.#sweep();
      while (this.#entries.size >= this.#maxEntries) this.#evictOldest();
      this.#put(record.id, structuredClone(record));
    });
  }

  set(record: SessionRecord, expectedVersion: number): Promise<SetResult> {
    return this.#run((): SetResult => {
      const entry = this.#live(record.id);
      if (!entry) return 'missing';
      if (entry.record.cart.version !== expectedVersion) return 'conflict';
      this.#put(record.id, structuredClone(record));
      return 'ok';
    });
  }

  destroy(id: string): Promise<boolean> {
    return this.#run(() => this.#live(id) !== undefined && this.#entries.delete(id));
  }

  getAndTouch(id: string, now: number): Promise<SessionRecord | undefined> {
    return this.#run(() => {
      const entry = this.#live(id);
      if (!entry) return undefined;
      entry.record.lastSeenAt = now;
      this.#put(id, entry.record);
      return structuredClone(entry.record);
    });
  }

  touch(id: string, now: number): Promise<boolean> {
    return this.#run(() => {
      const entry = this.#live(id);
      if (!entry) return false;
      entry.record.lastSeenAt = now;
      this.#put(id, entry.record);
      return true;
    });
  }

  count(): Promise<number> {
    return this.#run(() => {
      this.#sweep();
      return this.#entries.size;
    });
  }

  ping(): Promise<void> {
    return this.#run(() => undefined);
  }

  /** Stops the sweep timer and drops every session; later calls reject. Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweepTimer);
    this.#entries.clear();
    return Promise.resolve();
  }

  /** Eviction and expiry counters since construction. */
  stats(): MemoryStoreStats {
    return { evictions: this.#evictions, expirations: this.#expirations };
  }

  // Every operation goes through here so a closed store fails like an
  // unreachable one, and a throw becomes a rejection, never a sync throw.
  #run<T>(operation: () => T): Promise<T> {
    return new Promise((resolve) => {
      if (this.#closed) throw new StoreUnavailableError('memory session store is closed');
      resolve(operation());
    });
  }

  // The entry if it is still live; an expired one is dropped on the way (lazy expiry).
  #live(id: string): Entry | undefined {
    const entry = this.#entries.get(id);
    if (entry && entry.expiresAt <= this.#now()) {
      this.#entries.delete(id);
      this.#expirations += 1;
      return undefined;
    }
    return entry;
  }

  // Re-inserting moves the entry to the end: most recently used, last to expire.
  #put(id: string, record: SessionRecord): void {
    this.#entries.delete(id);
    this.#entries.set(id, { record, expiresAt: this.#now() + this.#idleTimeoutMs });
  }

  // Expired entries sit at the front (see the class comment), so stop at the first live one.
  #sweep(): void {
    const now = this.#now();
    for (const [id, entry] of this.#entries) {
      if (entry.expiresAt > now) break;
      this.#entries.delete(id);
      this.#expirations += 1;
    }
  }

  #evictOldest(): void {
    const oldest = this.#entries.keys().next();
    if (oldest.done === true) return;
    this.#entries.delete(oldest.value);
    this.#evictions += 1;
  }
}

function checkInteger(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new StoreOptionError(
      `MemorySessionStore: ${name} must be an integer from ${min} to ${max}, got ${String(value)}`,
    );
  }
  return value;
}
