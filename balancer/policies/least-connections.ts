import { admits } from '../slow-start.ts';
import type { Upstream } from '../upstream.ts';
import type { Policy, RoutingContext } from './policy.ts';

const WRAP = 0x3fffffff;

/**
 * The node with the fewest requests in flight. The scan starts one place
 * further each time, so ties (the common case at low load) rotate like
 * round-robin instead of all landing on the first node.
 *
 * A readmitted node has nothing in flight, so plain least-connections would
 * send it every new request at once; during slow start it takes only a
 * `weight` fraction of the requests it wins, and the runner-up gets the rest.
 */
export class LeastConnectionsPolicy implements Policy {
  readonly name = 'least-connections';
  private start = 0;

  pick(candidates: readonly Upstream[], _ctx?: RoutingContext): Upstream | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    const offset = this.start % n;
    this.start = this.start >= WRAP ? 0 : this.start + 1;
    const best = fewest(candidates, offset, undefined)!;
    if (best.slowStart === undefined || admits(best)) return best;
    const taker = this.runnerUp(candidates, offset, best);
    // As in round-robin, the next scan starts past whoever took the turn, so
    // the turns a ramping node passes on are spread, not all given to its neighbour.
    this.start = candidates.indexOf(taker) + 1;
    return taker;
  }

  /** The best node that does not decline; the first winner if all of them do. */
  private runnerUp(candidates: readonly Upstream[], offset: number, first: Upstream): Upstream {
    const declined = [first];
    for (;;) {
      const next = fewest(candidates, offset, declined);
      if (next === undefined) return first;
      if (admits(next)) return next;
      declined.push(next);
    }
  }
}

function fewest(
  candidates: readonly Upstream[],
  offset: number,
  excluded: readonly Upstream[] | undefined,
): Upstream | undefined {
  const n = candidates.length;
  let best: Upstream | undefined;
  for (let k = 0; k < n; k++) {
    const node = candidates[(offset + k) % n]!;
    if (excluded?.includes(node)) continue;
    if (best === undefined || node.active < best.active) best = node;
  }
  return best;
}
