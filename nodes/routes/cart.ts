import type { Router } from '@koa/router';
import { z } from 'zod';
import type { Cart } from '../../store/session-store.ts';
import { addToCart } from '../cart.ts';
import { parseInput } from '../input.ts';
import { readJsonBody } from '../json-body.ts';
import type { StrategyHolder } from '../strategies/strategy-holder.ts';

export interface CartRoutesOptions {
  strategies: StrategyHolder;
}

const ItemInput = z.object({
  sku: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 characters of [A-Za-z0-9_.-]'),
  qty: z
    .number('must be a number')
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(1000, 'must be at most 1000'),
});

/** GET /cart and POST /cart/items: the session's cart, written as the strategy writes it. */
export function registerCartRoutes(router: Router, options: CartRoutesOptions): void {
  const { strategies } = options;

  router.get('/cart', async (ctx) => {
    const session = await strategies.of(ctx).load(ctx);
    ctx.body = cartBody(session.cart);
  });

  router.post('/cart/items', async (ctx) => {
    const strategy = strategies.of(ctx);
    // The session first: without one the answer is 401, whatever the body.
    const session = await strategy.load(ctx);
    const { sku, qty } = parseInput(ItemInput, await readJsonBody(ctx));
    const cart = await strategy.writeCart(ctx, session, (current) => addToCart(current, sku, qty));
    ctx.body = cartBody(cart);
  });
}

function cartBody(cart: Cart) {
  return { items: cart.items, version: cart.version };
}
