import { setTimeout as delay } from 'node:timers/promises';
import { CartConflictError, SessionExistsError } from '../errors.ts';
import type { Cart, SessionRecord } from '../session-store.ts';
import { RedisSessionStore } from './session-store.ts';

export interface UserCartStoreOptions {
  url: string;
  /** A cart nobody writes for this long is dropped. */
  idleTtlMs: number;
  /** Compare-and-set attempts per write before CartConflictError (409 CART_CONFLICT). Default 10. */
  maxAttempts?: number;
}

export const CART_KEY_PREFIX = 'sl:cart:';
const EMPTY_CART: Cart = { items: [], version: 0 };

/**
 * Carts keyed by user, for the `jwt` strategy: the token carries identity
 * only, so user data stays on the server. Reuses RedisSessionStore (record
 * id = user, prefix `sl:cart:`) for its compare-and-set and fail-fast
 * client. A cart is created by its first write; reading a missing one gives
 * an empty cart at version 0 without writing anything. Reads and writes both
 * slide the idle TTL.
 */
export class UserCartStore {
  readonly #store: RedisSessionStore;
  readonly #maxAttempts: number;

  constructor(options: UserCartStoreOptions) {
    this.#store = new RedisSessionStore({
      url: options.url,
      idleTtlMs: options.idleTtlMs,
      keyPrefix: CART_KEY_PREFIX,
      mode: 'cas',
    });
    this.#maxAttempts = options.maxAttempts ?? 10;
  }

  connect(): Promise<void> {
    return this.#store.connect();
  }

  /**
   * The user's cart; reading it restarts its idle TTL in the same round trip
   * (the session store's touch script), so a cart that is only looked at is
   * not dropped. A missing cart is not created.
   */
  async read(user: string, now: number): Promise<Cart> {
    return (await this.#store.getAndTouch(user, now))?.cart ?? EMPTY_CART;
  }

  /**
   * Read-modify-write with compare-and-set, starting from `seen` (the cart
   * the request already loaded: one read fewer when nobody raced). A lost
   * race re-reads and re-applies `change`; version 0 means "not stored yet",
   * so that write creates the cart (SET NX) instead.
   */
  async write(user: string, seen: Cart, change: (cart: Cart) => Cart, now: number): Promise<Cart> {
    let current = seen;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt += 1) {
      if (attempt > 1) {
        // Jitter so racing writers do not collide again in lockstep.
        await delay(Math.random() * 2 * attempt);
        current = await this.read(user, now);
      }
      const cart = change(current);
      const record: SessionRecord = { id: user, user, createdAt: now, lastSeenAt: now, cart };
      if (current.version === 0) {
        if (await this.#create(record)) return cart;
      } else if ((await this.#store.set(record, current.version)) === 'ok') {
        return cart;
      }
    }
    throw new CartConflictError(this.#maxAttempts);
  }

  ping(): Promise<void> {
    return this.#store.ping();
  }

  close(): Promise<void> {
    return this.#store.close();
  }

  async #create(record: SessionRecord): Promise<boolean> {
    try {
      await this.#store.create(record);
      return true;
    } catch (error) {
      if (error instanceof SessionExistsError) return false;
      throw error;
    }
  }
}
