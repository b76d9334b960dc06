import type { Cart } from '../store/session-store.ts';
import { HttpError } from './errors.ts';

/** Most distinct SKUs a cart holds; bounds what one session can make a store keep. */
export const MAX_CART_ITEMS = 200;

/**
 * The cart after adding `qty` of `sku`: an existing line grows, a new SKU is
 * appended, and the version goes up by exactly 1. Pure; the caller writes it
 * back with compare-and-set. 413 CART_FULL past MAX_CART_ITEMS lines.
 */
export function addToCart(cart: Cart, sku: string, qty: number): Cart {
  const existing = cart.items.find((item) => item.sku === sku);
  if (!existing && cart.items.length >= MAX_CART_ITEMS) throw new HttpError('CART_FULL');
  const items = existing
    ? cart.items.map((item) => (item.sku === sku ? { sku, qty: item.qty + qty } : item))
    : [...cart.items, { sku, qty }];
  return { items, version: cart.version + 1 };
}
