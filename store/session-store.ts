/** A cart line: one SKU and how many of it. */
export interface CartItem {
  sku: string;
  qty: number;
}

/** The cart of a session; `version` goes up by exactly 1 per accepted write. */
export interface Cart {
  items: CartItem[];
  version: number;
}

/** What a server-side session holds. Times are epoch milliseconds. */
export interface SessionRecord {
  id: string;
  user: string;
  createdAt: number;
  lastSeenAt: number;
  cart: Cart;
}

/** Outcome of a compare-and-set write. */
export type SetResult = 'ok' | 'conflict' | 'missing';

/**
 * Where server-side sessions live. Every store (memory, Redis, Hazelcast)
 * implements this contract and runs the same contract test suite.
 *
 * Expiry: a store drops a session once it has been idle longer than its idle
 * TTL (sliding; `touch` and `set` slide it). The absolute timeout is the
 * session layer's business (it has `createdAt`).
 */
export interface SessionStore {
  /** The live session, or undefined when it never existed, expired or was destroyed. */
  get(id: string): Promise<SessionRecord | undefined>;
  /** Stores a new session; fails when the id already exists (ids are never reused). */
  create(record: SessionRecord): Promise<void>;
  /**
   * Replaces a session only if its stored cart version is still
   * `expectedVersion` (compare-and-set); 'missing' when it is gone.
   */
  set(record: SessionRecord, expectedVersion: number): Promise<SetResult>;
  /** Ends a session; true when it existed. */
  destroy(id: string): Promise<boolean>;
  /**
   * The live session with its idle expiry slid and `lastSeenAt` set to `now`,
   * in as few round trips as the store allows (one for Redis): what a node
   * does on every authenticated request. Undefined when the session is gone.
   */
  getAndTouch(id: string, now: number): Promise<SessionRecord | undefined>;
  /** Slides the idle expiry; false when the session is gone. */
  touch(id: string, now: number): Promise<boolean>;
  /** Number of live sessions (for metrics and `lab status`). */
  count(): Promise<number>;
  /** Resolves when the store is reachable; rejects with a StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  /** Releases timers and connections. */
  close(): Promise<void>;
}
