// Passive health: what real requests say about a node, as HAProxy's
// `observe layer4` with `error-limit`. A node is marked down after
// `errorLimit` consecutive errors (connect failures, resets on fresh
// connections), each within `errorWindowMs` of the one before; a request the
// node answers resets the count. A single dropped SYN under load therefore
// ejects nothing, while a killed node, which refuses every connection, reaches
// the limit within a few requests. Passive evidence never ejects the last node
// that can take traffic: with no node left, every request would fail anyway,
// and only the active checks (which probe the node directly) may decide that.
import type { HealthConfig } from './config.ts';
import type { Clock } from './slow-start.ts';
import type { UpstreamPool } from './upstream-pool.ts';
import type { Upstream } from './upstream.ts';

export type PassiveConfig = Pick<HealthConfig, 'errorLimit' | 'errorWindowMs'>;

/** What one passive error did to the node (`kept-last-node`: once per streak). */
export type PassiveVerdict = 'counted' | 'marked-down' | 'kept-last-node';

interface Streak {
  count: number;
  /** When the last error of the streak happened (clock ms). */
  lastAt: number;
}

export class PassiveHealth {
  private readonly pool: UpstreamPool;
  private readonly config: PassiveConfig;
  private readonly clock: Clock;
  private readonly streaks = new Map<Upstream, Streak>();
  /** Mark-downs refused because the node was the last one up, by node. */
  readonly keptLastNode = new Map<Upstream, number>();

  constructor(pool: UpstreamPool, config: PassiveConfig, clock: Clock = () => performance.now()) {
    this.pool = pool;
    this.config = config;
    this.clock = clock;
    // A node that comes back starts from a clean slate.
    pool.on('change', ({ node, kind }) => {
      if (kind === 'health' && node.healthy) this.streaks.delete(node);
    });
  }

  /** Consecutive passive errors counted against `node` so far. */
  errors(node: Upstream): number {
    return this.streaks.get(node)?.count ?? 0;
  }

  /** The node answered: its streak of errors is over. */
  success(node: Upstream): void {
    if (this.streaks.size !== 0) this.streaks.delete(node);
  }

  /** Counts one error; marks the node down when the streak reaches the limit. */
  failure(node: Upstream, reason: string): PassiveVerdict {
    const now = this.clock();
    const streak = this.streaks.get(node);
    const count = streak && now - streak.lastAt <= this.config.errorWindowMs ? streak.count + 1 : 1;
    this.streaks.set(node, { count, lastAt: now });
    if (count < this.config.errorLimit || !node.healthy) return 'counted';
    if (this.isLastNodeUp(node)) {
      this.keptLastNode.set(node, (this.keptLastNode.get(node) ?? 0) + 1);
      // Said once per streak (the caller logs it); later errors only count.
      return count === this.config.errorLimit ? 'kept-last-node' : 'counted';
    }
    this.pool.setHealthy(node, false, `passive: ${count} consecutive errors, last ${reason}`);
    return 'marked-down';
  }

  private isLastNodeUp(node: Upstream): boolean {
    const up = this.pool.up;
    return up.length === 0 || (up.length === 1 && up[0] === node);
  }
}
