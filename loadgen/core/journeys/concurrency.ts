// The concurrency journey: one session sends `parallelWrites` cart writes at
// once, as a browser with several tabs or a retrying client would. Read the
// cart, write in parallel, read again: the version must have grown by exactly
// the writes accepted (CartTracker.round). Strategies that read-modify-write
// without compare-and-set (redis:lww, cookie) lose updates here.
import { cartVersion, unsure, type VirtualUser } from '../virtual-user.ts';
import { pickSku, type JourneyPlan } from './journey.ts';

export async function concurrency(user: VirtualUser, plan: JourneyPlan): Promise<boolean> {
  await user.login();
  for (let round = 0; round < plan.steps; round += 1) {
    const skus = Array.from({ length: plan.parallelWrites }, () => pickSku(plan.random));
    if (!(await user.think())) return false;
    if (!user.hasSession) {
      await user.login();
      continue;
    }
    await playRound(user, skus);
    if (user.stopped) return false;
  }
  if (!(await user.think())) return false;
  if (user.hasSession) await user.logout();
  return !user.stopped;
}

async function playRound(user: VirtualUser, skus: string[]): Promise<void> {
  const session = user.generation;
  // A round that lost its session, or was cut by the end of the load, proves nothing.
  const intact = () => user.hasSession && user.generation === session && !user.stopped;
  const baseline = cartVersion(await user.request('GET', '/cart'));
  if (!intact()) return;
  const writes = await Promise.all(
    skus.map((sku) => user.request('POST', '/cart/items', { sku, qty: 1 })),
  );
  if (!intact()) return;
  const final = cartVersion(await user.request('GET', '/cart'));
  if (!intact()) return;
  user.judge(
    user.cart.round({
      baseline,
      accepted: writes.filter((outcome) => cartVersion(outcome) !== undefined).length,
      unsure: writes.filter(unsure).length,
      final,
    }),
  );
}
