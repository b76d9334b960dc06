// The shop journey: log in, `steps` requests of the mix with think time in
// between, log out. One request at a time, so every cart version it sees can
// be checked against the last one (CartTracker.read / write).
import { cartVersion, unsure, type VirtualUser } from '../virtual-user.ts';
import { pickSku, type JourneyPlan } from './journey.ts';

/** GET /me 40 %, GET /cart 40 %, POST /cart/items 20 % (the bench's mix). */
export const SHOP_MIX = { me: 0.4, cart: 0.4 } as const;

export async function shop(user: VirtualUser, plan: JourneyPlan): Promise<boolean> {
  await user.login();
  for (let step = 0; step < plan.steps; step += 1) {
    // Two draws per step whatever the route, so the sequence never depends on answers.
    const route = plan.random();
    const sku = pickSku(plan.random);
    if (!(await user.think())) return false;
    // A lost session or a failed login: log in (again) in place of this step.
    if (!user.hasSession) {
      await user.login();
      continue;
    }
    if (route < SHOP_MIX.me) await user.request('GET', '/me');
    else if (route < SHOP_MIX.me + SHOP_MIX.cart) await readCart(user);
    else await addItem(user, sku);
    if (user.stopped) return false;
  }
  if (!(await user.think())) return false;
  if (user.hasSession) await user.logout();
  return !user.stopped;
}

export async function readCart(user: VirtualUser): Promise<void> {
  const version = cartVersion(await user.request('GET', '/cart'));
  if (version !== undefined) user.judge(user.cart.read(version));
}

export async function addItem(user: VirtualUser, sku: string): Promise<void> {
  const outcome = await user.request('POST', '/cart/items', { sku, qty: 1 });
  const version = cartVersion(outcome);
  // Uncertain writes are counted by the user (VirtualUser.request); here they widen the cart check.
  if (version !== undefined) user.judge(user.cart.write(version));
  else if (unsure(outcome)) user.cart.unsureWrite();
}
