// Second-by-second aggregation: each request counts in the second in which
// it ended, each event (journey started, session lost...) in the second it
// happened. Pure: the caller says which second; a bucket is taken once.
import type { RouteName } from '../common/routes.ts';
import { quantile, Samples } from './samples.ts';
import type { SecondPoint } from './types.ts';

/** The event counters a SecondPoint carries besides requests and errors. */
export const COUNTERS = [
  'journeysStarted',
  'journeysCompleted',
  'dropped',
  'sessionsLost',
  'staleReads',
  'lostUpdates',
  'doubledUpdates',
  'conflicts',
  'relogins',
  'refreshes',
  'refreshFailures',
  'pinnedServed',
  'pinnedTotal',
] as const satisfies readonly (keyof SecondPoint)[];

export type CounterName = (typeof COUNTERS)[number];

/** One ended request, as the series counts it. */
export interface RequestEnd {
  /** From send to end of body; undefined when no answer came (network error, timeout). */
  latencyMs: number | undefined;
  /** Undefined for 2xx; else the status (`503`) or the error code (`timeout`). */
  errorKind: string | undefined;
  /** X-Served-By of the answer (`none` when absent); undefined when no answer came. */
  servedBy: string | undefined;
  /** For an error: the node that caused it (see SecondPoint.errorsByNode). */
  errorNode?: string | undefined;
  /** Which route it was, for the latency per route of the totals. */
  route?: RouteName | undefined;
}

class Bucket {
  requests = 0;
  errors = 0;
  readonly errorsByKind: Record<string, number> = {};
  readonly servedBy: Record<string, number> = {};
  readonly errorsByNode: Record<string, number> = {};
  readonly sessionsLostByNode: Record<string, number> = {};
  readonly latencies = new Samples(256);
  readonly counters = Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Record<
    CounterName,
    number
  >;
}

export function addTo(record: Record<string, number>, key: string, count = 1): void {
  record[key] = (record[key] ?? 0) + count;
}

export class SecondSeries {
  // Usually two buckets at most: the second being emitted and the one begun.
  readonly #buckets = new Map<number, Bucket>();

  request(t: number, end: RequestEnd): void {
    const bucket = this.#bucket(t);
    bucket.requests += 1;
    if (end.latencyMs !== undefined) bucket.latencies.push(end.latencyMs);
    if (end.errorKind !== undefined) {
      bucket.errors += 1;
      addTo(bucket.errorsByKind, end.errorKind);
      addTo(bucket.errorsByNode, end.errorNode ?? 'none');
    }
    if (end.servedBy !== undefined) addTo(bucket.servedBy, end.servedBy);
  }

  count(t: number, name: CounterName, n = 1): void {
    this.#bucket(t).counters[name] += n;
  }

  /** A lost session, with the node that served it last. */
  sessionLost(t: number, node: string): void {
    const bucket = this.#bucket(t);
    bucket.counters.sessionsLost += 1;
    addTo(bucket.sessionsLostByNode, node);
  }

  /** True when second `t` holds anything yet. */
  has(t: number): boolean {
    return this.#buckets.has(t);
  }

  /** Second `t` as a point (all zeros when nothing happened); later calls see it empty. */
  take(t: number): SecondPoint {
    const bucket = this.#buckets.get(t) ?? new Bucket();
    this.#buckets.delete(t);
    const sorted = bucket.latencies.sorted();
    return {
      t,
      requests: bucket.requests,
      errors: bucket.errors,
      errorsByKind: bucket.errorsByKind,
      p50Ms: quantile(sorted, 0.5),
      p95Ms: quantile(sorted, 0.95),
      p99Ms: quantile(sorted, 0.99),
      servedBy: bucket.servedBy,
      errorsByNode: bucket.errorsByNode,
      sessionsLostByNode: bucket.sessionsLostByNode,
      ...bucket.counters,
    };
  }

  #bucket(t: number): Bucket {
    let bucket = this.#buckets.get(t);
    if (!bucket) {
      bucket = new Bucket();
      this.#buckets.set(t, bucket);
    }
    return bucket;
  }
}
