import type { Router } from '@koa/router';
import type { Context } from 'koa';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import type { Cart, SessionRecord, SessionStore } from '../../store/session-store.ts';
import { addToCart } from '../cart.ts';
import { HttpError } from '../errors.ts';
import { parseInput } from '../input.ts';
import { readJsonBody } from '../json-body.ts';
import type { SessionLayer } from '../session-layer.ts';

export interface CartRoutesOptions {
  store: SessionStore;
  sessions: SessionLayer;
  now: () => number;
  /** Compare-and-set attempts per write before 409 CART_CONFLICT. Default 10. */
  maxAttempts?: number;
}

export const DEFAULT_CART_ATTEMPTS = 10;

const ItemInput = z.object({
  sku: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 characters of [A-Za-z0-9_.-]'),
  qty: z
    .number('must be a number')
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000'),
});

/** GET /cart and POST /cart/items: the session's cart, written with compare-and-set. */
export function registerCartRoutes(router: Router, options: CartRoutesOptions): void {
  const { sessions } = options;
  const maxAttempts = options.maxAttempts ?? DEFAULT_CART_ATTEMPTS;

  router.get(
    '/cart',
    sessions.withSession((ctx, session) => {
      ctx.body = cartBody(session.cart);
    }),
  );

  router.post(
    '/cart/items',
    sessions.withSession(async (ctx, session) => {
      const { sku, qty } = parseInput(ItemInput, await readJsonBody(ctx));
      const cart = await writeCart(ctx, session, (current) => addToCart(current, sku, qty), {
        ...options,
        maxAttempts,
      });
      ctx.body = cartBody(cart);
    }),
  );
}

/**
 * Read-modify-write with compare-and-set: a write that lost a race re-reads
 * and re-applies its change, so concurrent writes all land, each with its
 * own version. Bounded: under endless contention the client gets a 409.
 */
async function writeCart(
  ctx: Context,
  session: SessionRecord,
  change: (cart: Cart) => Cart,
  options: CartRoutesOptions & { maxAttempts: number },
): Promise<Cart> {
  const { store, sessions, now, maxAttempts } = options;
  // The first attempt uses the session just loaded: one store round trip fewer.
  let current: SessionRecord | undefined = session;
  for (let attempt = 1; attempt <= maxAttempts; attempt += 1) {
    if (attempt > 1) {
      // Jitter so racing writers do not collide again in lockstep.
      await delay(Math.random() * 2 * attempt);
      current = await store.get(session.id);
    }
    if (!current) throw sessions.lost(ctx);
    const cart = change(current.cart);
    const result = await store.set({ ...current, lastSeenAt: now(), cart }, current.cart.version);
    if (result === 'ok') return cart;
    if (result === 'missing') throw sessions.lost(ctx);
  }
  throw new HttpError('CART_CONFLICT');
}

function cartBody(cart: Cart) {
  return { items: cart.items, version: cart.version };
}
