// What each chaos event did to the users, read from the client's own
// second-by-second series (not from the servers' view of themselves).
//
// The window of an event runs from its second to the second of the next
// event that happened (or the end of the load). Its cost is what the window
// shows above the level before the event: errors beyond the error rate of
// the (up to) ten seconds before, and every session lost, stale read and
// lost update in it. Recovery is the first second from which the error rate
// stays at the level before the event until the window ends; a second in
// which no request ended does not count as recovered (a hung node answers
// nothing). Ejection and return times are the exception: they come from the
// node states of the balancer the traffic crossed (sampler.ts).
import type { SecondPoint } from '../../loadgen/types.ts';
import type { TimelineEvent } from './chaos-timeline.ts';
import type { NodeStateChange } from './sampler.ts';
import type { EventEffect } from '../../report/summary-schema.ts';

const BASELINE_SECONDS = 10;
/** Error-rate slack over the level before: one error in a hundred requests is noise at these rates. */
const TOLERANCE = 0.01;
/** Actions after which the balancer should eject the node on its own. */
const EJECTING = new Set(['kill', 'stop', 'pause']);
/** Actions after which the balancer should take the node back. */
const RETURNING = new Set(['start', 'restart', 'resume', 'enable']);

export function eventEffects(
  events: readonly TimelineEvent[],
  series: readonly SecondPoint[],
  changes: readonly NodeStateChange[],
  loadStartedAtMs: number,
): EventEffect[] {
  const ordered = [...events].sort((a, b) => a.tMs - b.tMs);
  const happened = ordered.filter((event) => event.status !== 'skipped');
  const end = series.length;
  return ordered.map((event) => {
    const start = Math.min(end, Math.floor(event.tMs / 1000));
    const next = happened.find((other) => other !== event && other.tMs > event.tMs);
    const stop = next ? Math.max(start, Math.floor(next.tMs / 1000)) : end;
    const base: EventEffect = {
      at: new Date(loadStartedAtMs + event.tMs).toISOString(),
      t: round1(event.tMs / 1000),
      action: event.step.action === 'network' ? `network ${event.step.fault}` : event.step.action,
      target: event.step.target,
      detail: event.detail,
      status: event.status,
      tookS: round1((event.endMs - event.tMs) / 1000),
      windowS: 0,
      errors: 0,
      sessionsLost: 0,
      staleReads: 0,
      lostUpdates: 0,
      sessionsLostByNode: {},
      errorsByNode: {},
      ejectedAfterS: null,
      returnedAfterS: null,
      recoveredAfterS: null,
    };
    if (event.errorCode) base.error = event.errorCode;
    if (event.status === 'skipped') return base;
    const window = series.slice(start, stop);
    const baseline = errorRate(series.slice(Math.max(0, start - BASELINE_SECONDS), start));
    const sum = (pick: (point: SecondPoint) => number) =>
      window.reduce((total, point) => total + pick(point), 0);
    const requests = sum((point) => point.requests);
    return {
      ...base,
      windowS: window.length,
      errors: Math.max(0, Math.round(sum((point) => point.errors) - baseline * requests)),
      sessionsLost: sum((point) => point.sessionsLost),
      staleReads: sum((point) => point.staleReads),
      lostUpdates: sum((point) => point.lostUpdates),
      sessionsLostByNode: merged(window.map((point) => point.sessionsLostByNode)),
      errorsByNode: merged(window.map((point) => point.errorsByNode)),
      ejectedAfterS: markedAfter(event, changes, EJECTING, 'down'),
      returnedAfterS: markedAfter(event, changes, RETURNING, 'up'),
      recoveredAfterS: recoveredAfter(event.tMs, window, start, baseline),
    };
  });
}

/** Errors per request over `points`; 0 when nothing ended in them. */
export function errorRate(points: readonly SecondPoint[]): number {
  let requests = 0;
  let errors = 0;
  for (const point of points) {
    requests += point.requests;
    errors += point.errors;
  }
  return requests === 0 ? 0 : errors / requests;
}

function recoveredAfter(
  tMs: number,
  window: readonly SecondPoint[],
  start: number,
  baseline: number,
): number | null {
  const healthy = (point: SecondPoint) =>
    point.requests > 0 && point.errors / point.requests <= baseline + TOLERANCE;
  let from = window.length;
  while (from > 0 && healthy(window[from - 1]!)) from -= 1;
  if (from === window.length) return null; // still failing when the window closed
  if (from === 0) return 0; // no second of the window was worse than before
  // Recovered at the start of second `start + from`.
  return round1(Math.max(0, start + from - tMs / 1000));
}

/**
 * Seconds from an event among `actions` to the first change of its node to
 * `to` in the sampled node states; null for other actions, or when no such
 * change was seen.
 */
function markedAfter(
  event: TimelineEvent,
  changes: readonly NodeStateChange[],
  actions: ReadonlySet<string>,
  to: string,
): number | null {
  if (event.status !== 'done' || !actions.has(event.step.action)) return null;
  const change = changes.find(
    (c) => c.node === event.step.target && c.to === to && c.tMs >= event.tMs,
  );
  return change ? round1((change.tMs - event.tMs) / 1000) : null;
}

function merged(records: readonly Record<string, number>[]): Record<string, number> {
  const total: Record<string, number> = {};
  for (const record of records) {
    for (const [key, count] of Object.entries(record)) total[key] = (total[key] ?? 0) + count;
  }
  return total;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
