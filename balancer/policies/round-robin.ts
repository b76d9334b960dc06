import { admits } from '../slow-start.ts';
import type { Upstream } from '../upstream.ts';
import type { Policy, RoutingContext } from './policy.ts';

// Kept within small-integer range so the counter stays a V8 SMI forever.
const WRAP = 0x3fffffff;

/**
 * Each request to the next node in configuration order, skipping nodes that
 * are not up. A node in slow start passes some of its turns to the next node,
 * and the cursor moves past whoever took the turn, so the other nodes still
 * share evenly.
 */
export class RoundRobinPolicy implements Policy {
  readonly name = 'round-robin';
  private counter = 0;

  pick(candidates: readonly Upstream[], _ctx?: RoutingContext): Upstream | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    const i = this.counter % n;
    let skipped = 0;
    if (candidates[i]!.slowStart !== undefined && !admits(candidates[i]!)) {
      skipped = passOn(candidates, i);
    }
    this.counter = this.counter >= WRAP ? 0 : this.counter + 1 + skipped;
    return candidates[(i + skipped) % n];
  }
}

/**
 * How many places after `from` the first node willing to take the request
 * is; 0 when every node is ramping and declined (the request must go somewhere).
 */
function passOn(candidates: readonly Upstream[], from: number): number {
  const n = candidates.length;
  for (let k = 1; k < n; k++) {
    if (admits(candidates[(from + k) % n]!)) return k;
  }
  return 0;
}
