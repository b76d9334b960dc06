// The whole run, summed from the very points the series carries, so totals
// and timeline always agree; latencies and lags go into histograms
// (latency-histogram.ts: percentiles within 1 %, fixed memory, mergeable).
import { ROUTES, type RouteName } from '../common/routes.ts';
import {
  addHeld,
  addTo,
  COUNTERS,
  failedRate,
  type CounterName,
  type RequestEnd,
} from './second-series.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import { quantileOf, round2 } from './samples.ts';
import type {
  DropCauses,
  GeneratorSettings,
  HeldAnswers,
  LoadHistograms,
  LatencySummary,
  LoadTotals,
  RouteLatency,
  SecondPoint,
  SetupFigures,
} from './types.ts';

export interface WireBytes {
  sent: number;
  received: number;
}

/** Every request's latency and the 2xx ones' apart. */
class Timings {
  readonly all = new LatencyHistogram();
  readonly success = new LatencyHistogram();
  failed = 0;

  add(end: RequestEnd): void {
    this.all.record(end.latencyMs);
    if (end.errorKind === undefined) this.success.record(end.latencyMs);
    else this.failed += 1;
  }
}

export class RunTotals {
  readonly lags = new LatencyHistogram();
  readonly #timings = new Timings();
  readonly #byRoute = new Map<RouteName, Timings>(ROUTES.map((route) => [route, new Timings()]));
  readonly #networkErrorCodes: Record<string, number> = {};
  sessionsStarted = 0;
  #requests = 0;
  #errors = 0;
  readonly #errorsByKind: Record<string, number> = {};
  readonly #servedBy: Record<string, number> = {};
  readonly #errorsByNode: Record<string, number> = {};
  readonly #sessionsLostByNode: Record<string, number> = {};
  readonly #droppedBy: DropCauses = { cap: 0, generator: 0, latency: 0 };
  readonly #heldAnswersByNode: Record<string, HeldAnswers> = {};
  readonly #counters = Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Record<
    CounterName,
    number
  >;

  /** A request's latency, failed or not, in the whole run's and in its route's samples. */
  request(end: RequestEnd, networkCode?: string): void {
    this.#timings.add(end);
    if (end.route !== undefined) this.#byRoute.get(end.route)?.add(end);
    if (networkCode !== undefined) addTo(this.#networkErrorCodes, networkCode);
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
    for (const [node, held] of Object.entries(point.heldAnswersByNode ?? {})) {
      addHeld(this.#heldAnswersByNode, node, held);
    }
    if (point.droppedBy) {
      for (const cause of ['cap', 'generator', 'latency'] as const) {
        this.#droppedBy[cause] += point.droppedBy[cause];
      }
    }
    for (const name of COUNTERS) this.#counters[name] += point[name] ?? 0;
  }

  build(
    startedAtMs: number,
    elapsedMs: number,
    bytes: WireBytes,
    settings?: GeneratorSettings,
    setup?: SetupFigures,
  ): LoadTotals {
    return {
      startedAtMs,
      elapsedMs: Math.round(elapsedMs),
      requests: this.#requests,
      errors: this.#errors,
      errorsByKind: this.#errorsByKind,
      latencyMs: summary(this.#timings.all),
      successLatencyMs: summary(this.#timings.success),
      failedRate: failedRate(this.#errors, this.#requests),
      networkErrorCodes: this.#networkErrorCodes,
      servedBy: this.#servedBy,
      errorsByNode: this.#errorsByNode,
      sessionsLostByNode: this.#sessionsLostByNode,
      ...this.#counters,
      droppedBy: this.#droppedBy,
      heldAnswersByNode: this.#heldAnswersByNode,
      sessionsStarted: this.sessionsStarted,
      bytesSent: bytes.sent,
      bytesReceived: bytes.received,
      schedulingLagP99Ms: quantileOf(this.lags, 0.99) ?? 0,
      latencyByRoute: Object.fromEntries(
        [...this.#byRoute].map(([route, timings]) => [route, routeLatency(timings)]),
      ),
      ...(settings ? { settings } : {}),
      ...(setup ? { setup } : {}),
      histograms: this.#histograms(),
    };
  }

  // What a merge of several generator processes needs to give the same figures as one.
  #histograms(): LoadHistograms {
    return {
      latency: this.#timings.all.toJSON(),
      success: this.#timings.success.toJSON(),
      lags: this.lags.toJSON(),
      byRoute: Object.fromEntries(
        [...this.#byRoute].map(([route, timings]) => [
          route,
          { all: timings.all.toJSON(), success: timings.success.toJSON(), failed: timings.failed },
        ]),
      ),
    };
  }
}

/** p50/p95/p99 of a histogram (within 1 %) and its exact max. */
export function summary(histogram: LatencyHistogram): LatencySummary {
  return {
    p50: quantileOf(histogram, 0.5),
    p95: quantileOf(histogram, 0.95),
    p99: quantileOf(histogram, 0.99),
    max: histogram.count > 0 ? round2(histogram.max) : null,
  };
}

/** One route's figures from its histograms. */
export function routeLatency(timings: {
  all: LatencyHistogram;
  success: LatencyHistogram;
  failed: number;
}): RouteLatency {
  const { all, success } = timings;
  return {
    count: all.count,
    failed: timings.failed,
    p50: quantileOf(all, 0.5),
    p99: quantileOf(all, 0.99),
    successP50: quantileOf(success, 0.5),
    successP99: quantileOf(success, 0.99),
  };
}
