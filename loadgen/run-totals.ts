// The whole run, summed from the very points the series carries, so totals
// and timeline always agree; latencies and lags are kept whole for exact
// percentiles.
import { ROUTES, type RouteName } from '../common/routes.ts';
import { addTo, COUNTERS, type CounterName } from './second-series.ts';
import { quantile, round2, Samples } from './samples.ts';
import type { LoadTotals, RouteLatency, SecondPoint } from './types.ts';

export interface WireBytes {
  sent: number;
  received: number;
}

export class RunTotals {
  readonly latencies = new Samples(4096);
  readonly lags = new Samples(1024);
  readonly #byRoute = new Map<RouteName, Samples>(ROUTES.map((route) => [route, new Samples()]));
  sessionsStarted = 0;
  #requests = 0;
  #errors = 0;
  readonly #errorsByKind: Record<string, number> = {};
  readonly #servedBy: Record<string, number> = {};
  readonly #errorsByNode: Record<string, number> = {};
  readonly #sessionsLostByNode: Record<string, number> = {};
  readonly #counters = Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Record<
    CounterName,
    number
  >;

  /** An answered request's latency, in the whole run's and in its route's samples. */
  answered(latencyMs: number, route: RouteName | undefined): void {
    this.latencies.push(latencyMs);
    if (route !== undefined) this.#byRoute.get(route)?.push(latencyMs);
  }

  add(point: SecondPoint): void {
    this.#requests += point.requests;
    this.#errors += point.errors;
    for (const [kind, n] of Object.entries(point.errorsByKind)) addTo(this.#errorsByKind, kind, n);
    for (const [node, n] of Object.entries(point.servedBy)) addTo(this.#servedBy, node, n);
    for (const [node, n] of Object.entries(point.errorsByNode)) addTo(this.#errorsByNode, node, n);
    for (const [node, n] of Object.entries(point.sessionsLostByNode)) {
      addTo(this.#sessionsLostByNode, node, n);
    }
    for (const name of COUNTERS) this.#counters[name] += point[name] ?? 0;
  }

  build(startedAtMs: number, elapsedMs: number, bytes: WireBytes): LoadTotals {
    const sorted = this.latencies.sorted();
    const lags = this.lags.sorted();
    return {
      startedAtMs,
      elapsedMs: Math.round(elapsedMs),
      requests: this.#requests,
      errors: this.#errors,
      errorsByKind: this.#errorsByKind,
      latencyMs: {
        p50: quantile(sorted, 0.5),
        p95: quantile(sorted, 0.95),
        p99: quantile(sorted, 0.99),
        max: sorted.length > 0 ? round2(sorted[sorted.length - 1]!) : null,
      },
      servedBy: this.#servedBy,
      errorsByNode: this.#errorsByNode,
      sessionsLostByNode: this.#sessionsLostByNode,
      ...this.#counters,
      sessionsStarted: this.sessionsStarted,
      bytesSent: bytes.sent,
      bytesReceived: bytes.received,
      schedulingLagP99Ms: quantile(lags, 0.99) ?? 0,
      latencyByRoute: Object.fromEntries(
        [...this.#byRoute].map(([route, samples]) => [route, routeLatency(samples)]),
      ),
    };
  }
}

function routeLatency(samples: Samples): RouteLatency {
  const sorted = samples.sorted();
  return { count: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) };
}
