import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SessionStore } from '../store/session-store.ts';

/**
 * Counters a store may keep about sessions it dropped on its own. The memory
 * store has them; a store without them simply reports no evictions.
 */
export interface StoreStatsSource {
  stats(): { evictions: number; expirations: number };
}

/** The metrics of one node app, all in the app's own registry. */
export interface NodeMetrics {
  registry: Registry;
  requests: Counter<'route' | 'method' | 'status'>;
  duration: Histogram<'route' | 'method'>;
  sessionsCreated: Counter;
  sessionsDestroyed: Counter<'reason'>;
  sessionsExpired: Counter<'reason'>;
  loginsFailed: Counter<'reason'>;
}

export interface NodeMetricsOptions {
  nodeId: string;
  store: SessionStore;
  logger: Logger;
  /** Registry to fill; a fresh one by default. Never the global one: several apps may share a process. */
  registry?: Registry;
}

// Loopback latencies are sub-millisecond; the default buckets start at 5 ms.
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createNodeMetrics(options: NodeMetricsOptions): NodeMetrics {
  const { store, logger } = options;
  const registry = options.registry ?? new Registry();
  registry.setDefaultLabels({ node: options.nodeId });
  const registers = [registry];
  const stats = hasStats(store) ? () => store.stats() : undefined;
  const seen = { evictions: 0, expirations: 0 };

  new Gauge({
    name: 'lab_node_sessions_live',
    help: 'Sessions held by the session store, read at scrape time',
    registers,
    async collect() {
      try {
        this.set(await store.count());
      } catch (error) {
        // NaN, not a stale or zero count, when the store cannot tell.
        logger.warn({ err: error }, 'could not count sessions for /metrics');
        this.set(Number.NaN);
      }
    },
  });
  const sessionsExpired = new Counter({
    name: 'lab_node_sessions_expired_total',
    help: 'Sessions ended by a timeout (reason: idle, from the store; absolute, by the node)',
    labelNames: ['reason'] as const,
    registers,
    collect() {
      if (!stats) return;
      const { expirations } = stats();
      this.inc({ reason: 'idle' }, expirations - seen.expirations);
      seen.expirations = expirations;
    },
  });
  new Counter({
    name: 'lab_node_sessions_evicted_total',
    help: 'Live sessions the store dropped because it was full',
    registers,
    collect() {
      if (!stats) return;
      const { evictions } = stats();
      this.inc(evictions - seen.evictions);
      seen.evictions = evictions;
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
  };
  // Known label values start at 0, so a rate() sees the first increment.
  metrics.sessionsExpired.labels({ reason: 'absolute' }).inc(0);
  for (const reason of ['logout', 'relogin']) metrics.sessionsDestroyed.labels({ reason }).inc(0);
  for (const reason of ['bad_input', 'bad_credentials'])
    metrics.loginsFailed.labels({ reason }).inc(0);
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

function hasStats(store: SessionStore): store is SessionStore & StoreStatsSource {
  return typeof (store as Partial<StoreStatsSource>).stats === 'function';
}
