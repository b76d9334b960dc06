// Slow start: a node that comes back (after being down, disabled or drained)
// has cold caches, cold JIT and no pooled connections, and under round-robin
// or least-connections it would at once get a full share of new clients
// (least-connections would even send it everything, as it has none in
// flight). Its weight instead ramps linearly from MIN_WEIGHT to 1 over the
// window, as HAProxy's `slowstart` does. Sticky clients pinned to the node are
// never affected: only the choice for new traffic is.
import type { Upstream } from './upstream.ts';

/** The weight a readmitted node starts with, as a fraction of a full share. */
export const MIN_WEIGHT = 0.1;

/** Milliseconds on a monotonic clock; tests pass their own. */
export type Clock = () => number;

export class SlowStart {
  readonly startedAt: number;
  readonly durationMs: number;
  private readonly clock: Clock;
  // The fraction of a request the node is owed. A credit instead of a coin
  // toss keeps its share exactly at its weight and makes routing repeatable;
  // starting at one half rounds instead of truncating, so the node gets its
  // first request after about 5 offers at 10%, not only after 10.
  private credit = 0.5;

  constructor(durationMs: number, clock: Clock) {
    this.clock = clock;
    this.startedAt = clock();
    this.durationMs = durationMs;
  }

  /** From MIN_WEIGHT right after readmission to 1 at the end of the window. */
  weight(now = this.clock()): number {
    const elapsed = Math.max(0, now - this.startedAt);
    if (elapsed >= this.durationMs) return 1;
    return MIN_WEIGHT + ((1 - MIN_WEIGHT) * elapsed) / this.durationMs;
  }

  remainingMs(now = this.clock()): number {
    return Math.max(0, this.startedAt + this.durationMs - now);
  }

  /**
   * A policy offers the node one new request: true when it takes it. Over
   * many offers it takes a `weight` fraction of them; the rest go elsewhere.
   */
  admit(): boolean {
    const weight = this.weight();
    if (weight >= 1) return true;
    this.credit += weight;
    if (this.credit < 1) return false;
    this.credit -= 1;
    return true;
  }
}

/**
 * Whether `node` takes a new request a policy offers it. Nodes that are not
 * ramping always do; a finished ramp is dropped so the hot path is one field
 * read again.
 */
export function admits(node: Upstream): boolean {
  const ramp = node.slowStart;
  if (ramp === undefined) return true;
  if (ramp.remainingMs() === 0) {
    node.slowStart = undefined;
    return true;
  }
  return ramp.admit();
}
