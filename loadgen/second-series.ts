// Second-by-second aggregation: each request counts in the second in which
// it ended, each event (journey started, session lost...) in the second it
// happened. Pure: the caller says which second; a bucket is taken once.
import type { RequestEnd } from './core/user-recorder.ts';
import { LatencyHistogram } from './latency-histogram.ts';
import { quantileOf } from './samples.ts';
import type { DropCauses, HeldAnswers, SecondPoint } from './types.ts';

/** The event counters a SecondPoint carries besides requests and errors. */
export const COUNTERS = [
  'journeysStarted',
  'journeysCompleted',
  'dropped',
  'sessionsLost',
  'staleReads',
  'lostUpdates',
  'lostUpdatesLowerBound',
  'uncertainWrites',
  'uncertainRounds',
  'doubledUpdates',
  'conflicts',
  'relogins',
  'refreshes',
  'refreshFailures',
  'refreshRetries',
  'refreshRevokedByReuse',
  'refreshLost',
  'pinnedServed',
  'pinnedTotal',
] as const satisfies readonly (keyof SecondPoint)[];

export type CounterName = (typeof COUNTERS)[number];

export type DropCause = keyof DropCauses;

export type { RequestEnd };

class Bucket {
  requests = 0;
  errors = 0;
  readonly errorsByKind: Record<string, number> = {};
  readonly servedBy: Record<string, number> = {};
  readonly errorsByNode: Record<string, number> = {};
  readonly sessionsLostByNode: Record<string, number> = {};
  readonly latencies = new LatencyHistogram();
  readonly successLatencies = new LatencyHistogram();
  readonly droppedBy: DropCauses = { cap: 0, generator: 0, latency: 0 };
  readonly heldAnswersByNode: Record<string, HeldAnswers> = {};
  readonly counters = Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Record<
    CounterName,
    number
  >;
}

export function addTo(record: Record<string, number>, key: string, count = 1): void {
  record[key] = (record[key] ?? 0) + count;
}

export function addHeld(record: Record<string, HeldAnswers>, node: string, add: HeldAnswers): void {
  const held = (record[node] ??= { answers: 0, home: 0 });
  held.answers += add.answers;
  held.home += add.home;
}

/** errors / requests to 4 decimals; null when there was no request. */
export function failedRate(errors: number, requests: number): number | null {
  return requests === 0 ? null : Math.round((errors / requests) * 10_000) / 10_000;
}

export class SecondSeries {
  // Usually two buckets at most: the second being emitted and the one begun.
  readonly #buckets = new Map<number, Bucket>();

  request(t: number, end: RequestEnd): void {
    const bucket = this.#bucket(t);
    bucket.requests += 1;
    bucket.latencies.record(end.latencyMs);
    if (end.errorKind === undefined) bucket.successLatencies.record(end.latencyMs);
    else {
      bucket.errors += 1;
      addTo(bucket.errorsByKind, end.errorKind);
      addTo(bucket.errorsByNode, end.errorNode ?? 'none');
    }
    if (end.servedBy !== undefined) addTo(bucket.servedBy, end.servedBy);
  }

  count(t: number, name: CounterName, n = 1): void {
    this.#bucket(t).counters[name] += n;
  }

  /** A journey not started because `vus` were in flight, and why. */
  dropped(t: number, cause: DropCause): void {
    const bucket = this.#bucket(t);
    bucket.counters.dropped += 1;
    bucket.droppedBy[cause] += 1;
  }

  /** An answer to a held session from node `servedBy`; `onHome` when that is the session's home. */
  heldAnswer(t: number, servedBy: string, onHome: boolean): void {
    const bucket = this.#bucket(t);
    bucket.counters.pinnedTotal += 1;
    if (onHome) bucket.counters.pinnedServed += 1;
    addHeld(bucket.heldAnswersByNode, servedBy, { answers: 1, home: onHome ? 1 : 0 });
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
    const all = bucket.latencies;
    const success = bucket.successLatencies;
    return {
      t,
      requests: bucket.requests,
      errors: bucket.errors,
      errorsByKind: bucket.errorsByKind,
      p50Ms: quantileOf(all, 0.5),
      p95Ms: quantileOf(all, 0.95),
      p99Ms: quantileOf(all, 0.99),
      successP50Ms: quantileOf(success, 0.5),
      successP95Ms: quantileOf(success, 0.95),
      successP99Ms: quantileOf(success, 0.99),
      failedRate: failedRate(bucket.errors, bucket.requests),
      servedBy: bucket.servedBy,
      errorsByNode: bucket.errorsByNode,
      sessionsLostByNode: bucket.sessionsLostByNode,
      ...bucket.counters,
      droppedBy: bucket.droppedBy,
      heldAnswersByNode: bucket.heldAnswersByNode,
      // So the points of several generator processes merge into exact counts and 1 % percentiles.
      latencyHistogram: all.toJSON(),
      successLatencyHistogram: success.toJSON(),
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
