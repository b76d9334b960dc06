import type { Upstream } from '../upstream.ts';
import type { Policy, RoutingContext } from './policy.ts';

// Kept within small-integer range so the counter stays a V8 SMI forever.
const WRAP = 0x3fffffff;

/** Each request to the next node in configuration order, skipping nodes that are not up. */
export class RoundRobinPolicy implements Policy {
  readonly name = 'round-robin';
  private counter = 0;

  pick(candidates: readonly Upstream[], _ctx?: RoutingContext): Upstream | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    const i = this.counter % n;
    this.counter = this.counter >= WRAP ? 0 : this.counter + 1;
    return candidates[i];
  }
}
