// The request journey: one request per arrival, for open-model latency of
// single requests (the shop journey's arrivals are open, but its requests
// wait for each other). The user is a session from the pool logged in before
// t = 0 (session-pool.ts), used by one arrival at a time, so its cart history
// is still checked; a session lost meanwhile logs in again in place of the request.
import type { VirtualUser } from '../virtual-user.ts';
import { pickSku, type JourneyPlan } from './journey.ts';
import { addItem, readCart, SHOP_MIX } from './shop.ts';

export async function request(user: VirtualUser, plan: JourneyPlan): Promise<boolean> {
  // The shop's two draws, so arrival n asks for the same thing whatever the strategy.
  const route = plan.random();
  const sku = pickSku(plan.random);
  if (user.stopped) return false;
  if (!user.hasSession) await user.login();
  else if (route < SHOP_MIX.me) await user.request('GET', '/me');
  else if (route < SHOP_MIX.me + SHOP_MIX.cart) await readCart(user);
  else await addItem(user, sku);
  return !user.stopped;
}
