// The configured nodes and every change of their state. State changes are
// rare and requests are many, so the list of nodes that may take new traffic
// is rebuilt on change and read without allocation on every request.
import { EventEmitter } from 'node:events';
import { SlowStart, type Clock } from './slow-start.ts';
import type { AdminMode, NodeState } from './upstream.ts';
import { Upstream } from './upstream.ts';

export interface StateChange {
  readonly node: Upstream;
  readonly from: NodeState;
  readonly to: NodeState;
  /** Which input changed: the health verdict or the operator's mode. */
  readonly kind: 'health' | 'mode';
  /** Who decided: `health-check`, `passive: ECONNREFUSED`, `admin: drain`, ... */
  readonly reason: string;
}

export interface PoolOptions {
  /** How long a node that comes back to `up` ramps its weight; 0 (the default) turns it off. */
  readonly slowStartMs?: number;
  readonly clock?: Clock;
}

interface PoolEvents {
  change: [StateChange];
}

export class UpstreamPool extends EventEmitter<PoolEvents> {
  readonly nodes: readonly Upstream[];
  private readonly byId: ReadonlyMap<string, Upstream>;
  private upNodes: readonly Upstream[];
  private readonly slowStartMs: number;
  private readonly clock: Clock;

  constructor(nodes: readonly { id: string; url: string }[], options: PoolOptions = {}) {
    super();
    this.slowStartMs = options.slowStartMs ?? 0;
    this.clock = options.clock ?? (() => performance.now());
    this.nodes = nodes.map((n, i) => new Upstream(n.id, n.url, i));
    this.byId = new Map(this.nodes.map((n) => [n.id, n]));
    this.upNodes = this.nodes;
  }

  get(id: string): Upstream | undefined {
    return this.byId.get(id);
  }

  /** Nodes in state `up`, in configuration order: the candidates for new traffic. */
  get up(): readonly Upstream[] {
    return this.upNodes;
  }

  setHealthy(node: Upstream, healthy: boolean, reason: string): void {
    if (node.healthy === healthy) return;
    this.apply(node, 'health', reason, () => (node.healthy = healthy));
  }

  setMode(node: Upstream, mode: AdminMode, reason: string): void {
    if (node.mode === mode) return;
    this.apply(node, 'mode', reason, () => (node.mode = mode));
  }

  close(): void {
    for (const node of this.nodes) node.close();
  }

  private apply(
    node: Upstream,
    kind: StateChange['kind'],
    reason: string,
    mutate: () => void,
  ): void {
    const from = node.state;
    mutate();
    const to = node.state;
    // Any return to `up` ramps: after down or disabled the node is cold, and
    // after draining it got no new clients for a while. Nodes up at start do not.
    if (to === 'up' && from !== 'up' && this.slowStartMs > 0) {
      node.slowStart = new SlowStart(this.slowStartMs, this.clock);
    } else if (to !== 'up') {
      node.slowStart = undefined;
    }
    this.upNodes = this.nodes.filter((n) => n.state === 'up');
    // Emitted even when the visible state stays the same (draining a node that
    // is down): listeners track the inputs, not only the summary.
    this.emit('change', { node, from, to, kind, reason });
  }
}
