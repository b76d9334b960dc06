import type { Upstream } from '../upstream.ts';
import type { Policy, RoutingContext } from './policy.ts';

const WRAP = 0x3fffffff;

/**
 * The node with the fewest requests in flight. The scan starts one place
 * further each time, so ties (the common case at low load) rotate like
 * round-robin instead of all landing on the first node.
 */
export class LeastConnectionsPolicy implements Policy {
  readonly name = 'least-connections';
  private start = 0;

  pick(candidates: readonly Upstream[], _ctx?: RoutingContext): Upstream | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    const offset = this.start % n;
    this.start = this.start >= WRAP ? 0 : this.start + 1;
    let best = candidates[offset]!;
    for (let k = 1; k < n; k++) {
      const node = candidates[(offset + k) % n]!;
      if (node.active < best.active) best = node;
    }
    return best;
  }
}
