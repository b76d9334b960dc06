// Prometheus metrics and the plain totals behind `GET /stats`. The registry is
// the balancer's own (never prom-client's global one), so two balancers in one
// process, as in tests, never share or clash. Per-request work is a plain
// array increment: even a pre-bound prom-client series hashes and validates
// its labels on every inc(), so every series is filled from these counts at
// scrape time (`collect`), like everything read from node state (in-flight,
// share, state).
import { Counter, Gauge, Registry } from 'prom-client';
import type { ErrorCode } from './errors.ts';
import { errorCodes } from './errors.ts';
import type { StateChange, UpstreamPool } from './upstream-pool.ts';
import type { NodeState, Upstream } from './upstream.ts';

const statusClasses = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
const nodeStates: readonly NodeState[] = ['up', 'down', 'draining', 'disabled'];
/** Label for sticky cookies that name no configured node (forged, stale secret). */
export const INVALID_COOKIE_LABEL = '(invalid)';

export interface Totals {
  /** Requests received on the public port. */
  requests: number;
  /** Requests answered by a node, by status class of the node's answer. */
  proxied: Record<(typeof statusClasses)[number], number>;
  /** Answers the balancer gave itself, by error code. */
  errors: Partial<Record<ErrorCode, number>>;
  /** Extra attempts after a connect failure. */
  retries: number;
  /** Sticky cookies that could not be honoured (any node, or none). */
  stickyRedispatches: number;
}

function classIndex(status: number): number {
  const i = Math.floor(status / 100) - 1;
  return i < 0 ? 0 : i > 4 ? 4 : i;
}

/** Figures read from other parts of the balancer at scrape time. */
export interface MetricSources {
  /** Request body bytes buffered right now, all requests. */
  readonly bufferedBytes: () => number;
  /** Passive mark-downs refused because the node was the last one up. */
  readonly keptLastNode: (node: Upstream) => number;
}

const noSources: MetricSources = { bufferedBytes: () => 0, keptLastNode: () => 0 };

export class BalancerMetrics {
  readonly registry = new Registry();
  readonly totals: Totals = {
    requests: 0,
    proxied: { '1xx': 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 },
    errors: {},
    retries: 0,
    stickyRedispatches: 0,
  };
  /** Answers by node and status class: `[node.index * 5 + class]`. */
  private readonly answered: Float64Array;
  /** Retries by the node that failed: `[node.index]`. */
  private readonly retriesFrom: Float64Array;
  /** State changes by node and new state: `[node.index * 4 + state]`. */
  private readonly transitions: Float64Array;

  constructor(
    pool: UpstreamPool,
    clientConnections: () => Promise<number>,
    sources: MetricSources = noSources,
  ) {
    const registers = [this.registry];
    const nodes = pool.nodes;
    const totals = this.totals;
    const answered = (this.answered = new Float64Array(nodes.length * statusClasses.length));
    const retriesFrom = (this.retriesFrom = new Float64Array(nodes.length));
    const transitions = (this.transitions = new Float64Array(nodes.length * nodeStates.length));

    // Every series below is written in full on each scrape, zeros included,
    // so it is exported before its first event and rate() works from the
    // start (prom-client only exports series that have been set).
    new Counter({
      name: 'balancer_requests_total',
      help: 'Requests answered by a node, by node and status class',
      labelNames: ['node', 'status_class'] as const,
      registers,
      collect() {
        this.reset();
        for (const n of nodes) {
          statusClasses.forEach((c, i) => {
            this.inc({ node: n.id, status_class: c }, answered[n.index * statusClasses.length + i]);
          });
        }
      },
    });

    new Counter({
      name: 'balancer_errors_total',
      help: 'Answers the balancer gave itself, by error code',
      labelNames: ['code'] as const,
      registers,
      collect() {
        this.reset();
        for (const code of errorCodes) this.inc({ code }, totals.errors[code] ?? 0);
      },
    });

    new Counter({
      name: 'balancer_retries_total',
      help: 'Requests retried elsewhere after a connect failure at this node',
      labelNames: ['node'] as const,
      registers,
      collect() {
        this.reset();
        for (const n of nodes) this.inc({ node: n.id }, retriesFrom[n.index]);
      },
    });

    new Counter({
      name: 'balancer_health_transitions_total',
      help: 'Node state changes, by node and new state',
      labelNames: ['node', 'to'] as const,
      registers,
      collect() {
        this.reset();
        for (const n of nodes) {
          nodeStates.forEach((s, i) => {
            this.inc({ node: n.id, to: s }, transitions[n.index * nodeStates.length + i]);
          });
        }
      },
    });
    pool.on('change', (change) => this.onChange(change));

    new Counter({
      name: 'balancer_sticky_redispatches_total',
      help: 'Sticky cookies that could not be honoured, by the node they named',
      labelNames: ['node'] as const,
      registers,
      collect() {
        this.reset();
        let named = 0;
        for (const n of nodes) {
          this.inc({ node: n.id }, n.stickyRedispatches);
          named += n.stickyRedispatches;
        }
        this.inc({ node: INVALID_COOKIE_LABEL }, totals.stickyRedispatches - named);
      },
    });

    new Gauge({
      name: 'balancer_node_active_requests',
      help: 'Requests in flight to each node',
      labelNames: ['node'] as const,
      registers,
      collect() {
        for (const n of nodes) this.set({ node: n.id }, n.active);
      },
    });

    new Gauge({
      name: 'balancer_node_share',
      help: 'Fraction of all attempts sent to each node since start',
      labelNames: ['node'] as const,
      registers,
      collect() {
        const shares = nodeShares(nodes);
        nodes.forEach((n, i) => this.set({ node: n.id }, shares[i]!));
      },
    });

    new Gauge({
      name: 'balancer_node_state',
      help: 'Node state: 1 for the current state, 0 for the others',
      labelNames: ['node', 'state'] as const,
      registers,
      collect() {
        for (const n of nodes) {
          const current = n.state;
          for (const s of nodeStates) this.set({ node: n.id, state: s }, s === current ? 1 : 0);
        }
      },
    });

    new Gauge({
      name: 'balancer_buffered_request_bytes',
      help: 'Request body bytes held by the balancer right now (capped by limits.maxBufferedBytes)',
      registers,
      collect() {
        this.set(sources.bufferedBytes());
      },
    });

    new Counter({
      name: 'balancer_passive_markdown_refused_total',
      help: 'Passive errors past the error limit that did not mark the node down: it was the last one up',
      labelNames: ['node'] as const,
      registers,
      collect() {
        this.reset();
        for (const n of nodes) this.inc({ node: n.id }, sources.keptLastNode(n));
      },
    });

    new Gauge({
      name: 'balancer_client_connections',
      help: 'Open client connections on the public port',
      registers,
      async collect() {
        this.set(await clientConnections());
      },
    });
  }

  requestReceived(): void {
    this.totals.requests++;
  }

  proxied(node: Upstream, status: number): void {
    const i = classIndex(status);
    this.answered[node.index * statusClasses.length + i]!++;
    this.totals.proxied[statusClasses[i]!]++;
  }

  balancerError(code: ErrorCode): void {
    this.totals.errors[code] = (this.totals.errors[code] ?? 0) + 1;
  }

  retried(from: Upstream): void {
    this.retriesFrom[from.index]!++;
    this.totals.retries++;
  }

  stickyRedispatched(): void {
    this.totals.stickyRedispatches++;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  private onChange(change: StateChange): void {
    if (change.from === change.to) return;
    this.transitions[change.node.index * nodeStates.length + nodeStates.indexOf(change.to)]!++;
  }
}

/** Each node's fraction of all attempts, in pool order (all 0 before any traffic). */
export function nodeShares(nodes: readonly Upstream[]): number[] {
  let total = 0;
  for (const n of nodes) total += n.requests;
  return nodes.map((n) => (total === 0 ? 0 : n.requests / total));
}
