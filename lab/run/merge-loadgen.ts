// The figures of several generator processes (load.processes > 1) as one
// load: per-second points merged by their second, totals merged whole.
// Counts add exactly; percentiles come from the parts' latency histograms
// merged (loadgen/latency-histogram.ts), so they keep its 1 % accuracy. Each
// part counts from its own t = 0; the parts start within a few ms of each
// other, and a point is merged with the other parts' point of the same
// second index.
import { LatencyHistogram, type HistogramData } from '../../loadgen/latency-histogram.ts';
import { routeLatency, summary } from '../../loadgen/run-totals.ts';
import { quantileOf } from '../../loadgen/samples.ts';
import { addHeld, addTo, COUNTERS, failedRate } from '../../loadgen/second-series.ts';
import type {
  DropCauses,
  HeldAnswers,
  LoadHistograms,
  LoadTotals,
  SecondPoint,
} from '../../loadgen/types.ts';

function addRecord(into: Record<string, number>, from: Record<string, number> | undefined): void {
  for (const [key, n] of Object.entries(from ?? {})) addTo(into, key, n);
}

function addHeldRecord(
  into: Record<string, HeldAnswers>,
  from: Record<string, HeldAnswers> | undefined,
): void {
  for (const [node, held] of Object.entries(from ?? {})) addHeld(into, node, held);
}

function addDrops(into: DropCauses, from: DropCauses | undefined): void {
  if (!from) return;
  for (const cause of ['cap', 'generator', 'latency'] as const) into[cause] += from[cause];
}

function merged(parts: (HistogramData | undefined)[], what: string): LatencyHistogram {
  const histogram = new LatencyHistogram();
  for (const part of parts) {
    if (!part)
      throw new Error(`a generator part wrote no ${what} histogram: cannot merge its percentiles`);
    histogram.merge(part);
  }
  return histogram;
}

/** The points of one second from every part, as one point. */
export function mergePoints(points: readonly SecondPoint[]): SecondPoint {
  const [first] = points;
  if (!first) throw new Error('mergePoints needs at least one point');
  if (points.length === 1) return first;
  const all = merged(
    points.map((p) => p.latencyHistogram),
    'latency',
  );
  const success = merged(
    points.map((p) => p.successLatencyHistogram),
    'success latency',
  );
  const point: SecondPoint = {
    t: first.t,
    requests: 0,
    errors: 0,
    errorsByKind: {},
    p50Ms: quantileOf(all, 0.5),
    p95Ms: quantileOf(all, 0.95),
    p99Ms: quantileOf(all, 0.99),
    successP50Ms: quantileOf(success, 0.5),
    successP95Ms: quantileOf(success, 0.95),
    successP99Ms: quantileOf(success, 0.99),
    failedRate: null,
    servedBy: {},
    errorsByNode: {},
    sessionsLostByNode: {},
    ...(Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Record<
      (typeof COUNTERS)[number],
      number
    >),
    droppedBy: { cap: 0, generator: 0, latency: 0 },
    heldAnswersByNode: {},
    latencyHistogram: all.toJSON(),
    successLatencyHistogram: success.toJSON(),
  };
  for (const part of points) {
    point.requests += part.requests;
    point.errors += part.errors;
    addRecord(point.errorsByKind, part.errorsByKind);
    addRecord(point.servedBy, part.servedBy);
    addRecord(point.errorsByNode, part.errorsByNode);
    addRecord(point.sessionsLostByNode, part.sessionsLostByNode);
    for (const name of COUNTERS) point[name] = (point[name] ?? 0) + (part[name] ?? 0);
    addDrops(point.droppedBy!, part.droppedBy);
    addHeldRecord(point.heldAnswersByNode!, part.heldAnswersByNode);
  }
  point.failedRate = failedRate(point.errors, point.requests);
  return point;
}

/** Per-second series of every part, merged second by second (a second only one part has is kept as is). */
export function mergeSeries(series: readonly (readonly SecondPoint[])[]): SecondPoint[] {
  const byT = new Map<number, SecondPoint[]>();
  for (const part of series) {
    for (const point of part) {
      const list = byT.get(point.t);
      if (list) list.push(point);
      else byT.set(point.t, [point]);
    }
  }
  return [...byT.keys()].sort((a, b) => a - b).map((t) => mergePoints(byT.get(t)!));
}

/** Every part's totals as one run's: counts add, percentiles from the merged histograms. */
export function mergeTotals(parts: readonly LoadTotals[]): LoadTotals {
  const [first] = parts;
  if (!first) throw new Error('mergeTotals needs at least one part');
  if (parts.length === 1) return first;
  const histograms = parts.map((part) => {
    if (!part.histograms) throw new Error('a generator part wrote no histograms: cannot merge it');
    return part.histograms;
  });
  const latency = merged(
    histograms.map((h) => h.latency),
    'latency',
  );
  const success = merged(
    histograms.map((h) => h.success),
    'success latency',
  );
  const lags = merged(
    histograms.map((h) => h.lags),
    'lag',
  );
  const byRoute: LoadHistograms['byRoute'] = {};
  const latencyByRoute: NonNullable<LoadTotals['latencyByRoute']> = {};
  for (const route of Object.keys(histograms[0]!.byRoute)) {
    const all = merged(
      histograms.map((h) => h.byRoute[route]?.all),
      `${route} latency`,
    );
    const ok = merged(
      histograms.map((h) => h.byRoute[route]?.success),
      `${route} latency`,
    );
    const failed = histograms.reduce((sum, h) => sum + (h.byRoute[route]?.failed ?? 0), 0);
    byRoute[route] = { all: all.toJSON(), success: ok.toJSON(), failed };
    latencyByRoute[route] = routeLatency({ all, success: ok, failed });
  }
  const sum = (pick: (totals: LoadTotals) => number | undefined) =>
    parts.reduce((total, part) => total + (pick(part) ?? 0), 0);
  const totals: LoadTotals = {
    ...first,
    startedAtMs: Math.min(...parts.map((part) => part.startedAtMs)),
    elapsedMs: Math.max(...parts.map((part) => part.elapsedMs)),
    errorsByKind: {},
    latencyMs: summary(latency),
    successLatencyMs: summary(success),
    networkErrorCodes: {},
    servedBy: {},
    errorsByNode: {},
    sessionsLostByNode: {},
    droppedBy: { cap: 0, generator: 0, latency: 0 },
    heldAnswersByNode: {},
    schedulingLagP99Ms: quantileOf(lags, 0.99) ?? 0,
    latencyByRoute,
    histograms: {
      latency: latency.toJSON(),
      success: success.toJSON(),
      lags: lags.toJSON(),
      byRoute,
    },
  };
  for (const key of [
    'requests',
    'errors',
    'journeysStarted',
    'journeysCompleted',
    'dropped',
    'sessionsStarted',
    'bytesSent',
    'bytesReceived',
    ...COUNTERS.filter(
      (name) => name !== 'dropped' && name !== 'journeysStarted' && name !== 'journeysCompleted',
    ),
  ] as const) {
    totals[key] = sum((part) => part[key]);
  }
  for (const part of parts) {
    addRecord(totals.errorsByKind, part.errorsByKind);
    addRecord(totals.networkErrorCodes!, part.networkErrorCodes);
    addRecord(totals.servedBy, part.servedBy);
    addRecord(totals.errorsByNode, part.errorsByNode);
    addRecord(totals.sessionsLostByNode, part.sessionsLostByNode);
    addDrops(totals.droppedBy!, part.droppedBy);
    addHeldRecord(totals.heldAnswersByNode!, part.heldAnswersByNode);
  }
  totals.failedRate = failedRate(totals.errors, totals.requests);
  if (first.settings) {
    totals.settings = {
      ...first.settings,
      rate: sum((part) => part.settings?.rate),
      vus: sum((part) => part.settings?.vus),
    };
  }
  if (first.setup) {
    totals.setup = {
      wanted: sum((part) => part.setup?.wanted),
      loggedIn: sum((part) => part.setup?.loggedIn),
      requests: sum((part) => part.setup?.requests),
      errors: sum((part) => part.setup?.errors),
      elapsedMs: Math.max(...parts.map((part) => part.setup?.elapsedMs ?? 0)),
    };
  }
  return totals;
}

/** A point or totals without its histograms: what summary.json carries (the raw files keep them). */
export function withoutHistograms<T extends SecondPoint | LoadTotals>(figures: T): T {
  const copy = { ...figures } as T & {
    latencyHistogram?: unknown;
    successLatencyHistogram?: unknown;
    histograms?: unknown;
  };
  delete copy.latencyHistogram;
  delete copy.successLatencyHistogram;
  delete copy.histograms;
  return copy;
}
