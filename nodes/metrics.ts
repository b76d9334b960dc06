import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { OpenFailure } from './strategies/cookie-codec.ts';
import { STRATEGY_NAMES } from './strategies/strategy.ts';
import type { SessionStrategy } from './strategies/strategy.ts';

/**
 * Counters a strategy's store may keep about sessions it dropped on its own.
 * The memory store has them; undefined (or no `stats`) reports no evictions.
 */
export interface StoreStatsSource {
  stats(): { evictions: number; expirations: number } | undefined;
}

/** What strategies count; a strategy gets only these. */
export interface SessionMetrics {
  sessionsCreated: Counter;
  sessionsDestroyed: Counter<'reason'>;
  sessionsExpired: Counter<'reason'>;
  /** Cookie-strategy values refused as tampered, truncated or sealed with an unknown key (claim C3). */
  cookieTampered: Counter<'reason'>;
  /**
   * jwt refresh tokens presented again after their rotation (outcome: grace,
   * the immediately preceding token within the grace window, answered with
   * its successor; detected, any other reuse, which revoked the family).
   */
  refreshReuse: Counter<'outcome'>;
}

/** The metrics of one node app, all in the app's own registry. */
export interface NodeMetrics extends SessionMetrics {
  registry: Registry;
  requests: Counter<'route' | 'method' | 'status'>;
  duration: Histogram<'route' | 'method'>;
  loginsFailed: Counter<'reason'>;
  strategySwitches: Counter<'strategy' | 'result'>;
}

export interface NodeMetricsOptions {
  nodeId: string;
  /** The node's current strategy (none before the first switch), read at scrape time. */
  strategy: () => SessionStrategy | undefined;
  logger: Logger;
  /** Registry to fill; a fresh one by default. Never the global one: several apps may share a process. */
  registry?: Registry;
}

const TAMPER_REASONS: readonly OpenFailure[] = ['malformed', 'unknown_key', 'forged'];

// Loopback latencies are sub-millisecond; the default buckets start at 5 ms.
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createNodeMetrics(options: NodeMetricsOptions): NodeMetrics {
  const { strategy, logger } = options;
  const registry = options.registry ?? new Registry();
  registry.setDefaultLabels({ node: options.nodeId });
  const registers = [registry];
  const newExpirations = createStatsReader(strategy, 'expirations');
  const newEvictions = createStatsReader(strategy, 'evictions');

  new Gauge({
    name: 'lab_node_sessions_live',
    help: 'Sessions held by the current strategy (its store), read at scrape time; NaN when it cannot tell (cookie)',
    registers,
    async collect() {
      try {
        // NaN, not a stale or zero count, when the strategy cannot tell.
        this.set((await strategy()?.count()) ?? Number.NaN);
      } catch (error) {
        logger.warn({ err: error }, 'could not count sessions for /metrics');
        this.set(Number.NaN);
      }
    },
  });
  new Gauge({
    name: 'lab_node_strategy_info',
    help: 'The current session strategy and its variant (value 1)',
    labelNames: ['strategy', 'variant'] as const,
    registers,
    collect() {
      this.reset();
      const current = strategy();
      if (current) this.set({ strategy: current.name, variant: current.variant }, 1);
    },
  });
  const sessionsExpired = new Counter({
    name: 'lab_node_sessions_expired_total',
    help: 'Sessions ended by a timeout (reason: idle, from the store; absolute, by the node)',
    labelNames: ['reason'] as const,
    registers,
    collect() {
      this.inc({ reason: 'idle' }, newExpirations());
    },
  });
  new Counter({
    name: 'lab_node_sessions_evicted_total',
    help: 'Live sessions the store dropped because it was full',
    registers,
    collect() {
      this.inc(newEvictions());
    },
  });

  const metrics: NodeMetrics = {
    registry,
    sessionsExpired,
    requests: new Counter({
      name: 'lab_node_http_requests_total',
      help: 'HTTP requests answered, by route, method and status',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    duration: new Histogram({
      name: 'lab_node_http_request_duration_seconds',
      help: 'Time from request to response, by route and method',
      labelNames: ['route', 'method'] as const,
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    sessionsCreated: new Counter({
      name: 'lab_node_sessions_created_total',
      help: 'Sessions started by a login',
      registers,
    }),
    sessionsDestroyed: new Counter({
      name: 'lab_node_sessions_destroyed_total',
      help: 'Sessions ended on purpose (reason: logout, relogin)',
      labelNames: ['reason'] as const,
      registers,
    }),
    loginsFailed: new Counter({
      name: 'lab_node_logins_failed_total',
      help: 'Refused logins (reason: bad_input, bad_credentials)',
      labelNames: ['reason'] as const,
      registers,
    }),
    cookieTampered: new Counter({
      name: 'lab_node_cookie_tampered_total',
      help: 'Session cookies refused as not sealed by this lab (reason: malformed, unknown_key, forged)',
      labelNames: ['reason'] as const,
      registers,
    }),
    refreshReuse: new Counter({
      name: 'lab_node_refresh_reuse_total',
      help: 'jwt refresh tokens used again after rotation (outcome: grace, a retry within the grace window answered with the same successor; detected, the family revoked)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    strategySwitches: new Counter({
      name: 'lab_node_strategy_switches_total',
      help: 'Strategy switches by target strategy and result (ok, failed: the old one stayed)',
      labelNames: ['strategy', 'result'] as const,
      registers,
    }),
  };
  // Known label values start at 0, so a rate() sees the first increment.
  metrics.sessionsExpired.labels({ reason: 'absolute' }).inc(0);
  for (const reason of ['logout', 'relogin']) metrics.sessionsDestroyed.labels({ reason }).inc(0);
  for (const reason of ['bad_input', 'bad_credentials'])
    metrics.loginsFailed.labels({ reason }).inc(0);
  for (const reason of TAMPER_REASONS) metrics.cookieTampered.labels({ reason }).inc(0);
  for (const outcome of ['grace', 'detected']) metrics.refreshReuse.labels({ outcome }).inc(0);
  for (const name of STRATEGY_NAMES) {
    for (const result of ['ok', 'failed']) {
      metrics.strategySwitches.labels({ strategy: name, result }).inc(0);
    }
  }
  return metrics;
}

/** Counts and times every response; sits outside the error handler so errors count with their final status. */
export function recordRequests(metrics: NodeMetrics): Middleware {
  return async function recordRequest(ctx, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      // The route pattern, never the raw path: unknown paths must not create label values.
      const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const route = typeof matched === 'string' ? matched : '(unmatched)';
      const labels = { route, method: ctx.method };
      metrics.requests.inc({ ...labels, status: String(ctx.status) });
      metrics.duration.observe(labels, (performance.now() - started) / 1000);
    }
  };
}

/**
 * Returns, at each call, how much one counter of the current strategy's
 * store grew since the previous call. Tracked per strategy: a fresh store
 * starts from 0, and what an old one dropped between the last scrape and a
 * switch is not seen.
 */
function createStatsReader(
  strategy: () => SessionStrategy | undefined,
  field: 'evictions' | 'expirations',
): () => number {
  const seen = new WeakMap<object, number>();
  return () => {
    const current = strategy();
    const stats = current && hasStats(current) ? current.stats() : undefined;
    if (!current || !stats) return 0;
    const grown = stats[field] - (seen.get(current) ?? 0);
    seen.set(current, stats[field]);
    return grown;
  };
}

function hasStats(source: object): source is StoreStatsSource {
  return typeof (source as Partial<StoreStatsSource>).stats === 'function';
}
