import assert from 'node:assert/strict';
import { addToCart, MAX_CART_ITEMS } from '../../../nodes/cart.ts';
import type { Cart } from '../../../store/session-store.ts';

describe('nodes/cart', () => {
  it('appends a new SKU and bumps the version by 1', () => {
    assert.deepEqual(addToCart({ items: [{ sku: 'a', qty: 1 }], version: 7 }, 'b', 2), {
      items: [
        { sku: 'a', qty: 1 },
        { sku: 'b', qty: 2 },
      ],
      version: 8,
    });
  });

  it('adds to the quantity of a SKU already in the cart', () => {
    assert.deepEqual(addToCart({ items: [{ sku: 'a', qty: 1 }], version: 1 }, 'a', 4), {
      items: [{ sku: 'a', qty: 5 }],
      version: 2,
    });
  });

  it('leaves the given cart untouched', () => {
    const cart: Cart = { items: [{ sku: 'a', qty: 1 }], version: 1 };
    addToCart(cart, 'a', 1);
    addToCart(cart, 'b', 1);
    assert.deepEqual(cart, { items: [{ sku: 'a', qty: 1 }], version: 1 });
  });

  it(`refuses a new SKU beyond ${MAX_CART_ITEMS} lines with CART_FULL (413)`, () => {
    const items = Array.from({ length: MAX_CART_ITEMS }, (_, i) => ({ sku: `s${i}`, qty: 1 }));
    assert.throws(() => addToCart({ items, version: 1 }, 'new', 1), {
      code: 'CART_FULL',
      status: 413,
    });
    assert.equal(addToCart({ items, version: 1 }, 's0', 1).version, 2);
  });
});
