// The user's observations as k6 metrics (names in metric-names.ts): the same
// calls the lab's generator aggregates per second, here added to k6's
// counters, rates and trends, tagged so the summary can split them.
import { Counter, Rate, Trend } from 'k6/metrics';
import type { RequestEnd, UserCounter, UserRecorder } from '../../loadgen/core/user-recorder.ts';
import { COUNTER_METRICS, LAB_METRICS } from './metric-names.ts';

// k6 metrics are declared in the init context, once per VU.
const counters = Object.fromEntries(
  Object.entries(COUNTER_METRICS).map(([name, metric]) => [name, new Counter(metric)]),
) as Record<UserCounter, Counter>;
const requestDuration = new Trend(LAB_METRICS.requestDuration, true);
const requestFailed = new Rate(LAB_METRICS.requestFailed);
const errors = new Counter(LAB_METRICS.errors);
const answers = new Counter(LAB_METRICS.answers);
const sessionsStarted = new Counter(LAB_METRICS.sessionsStarted);
const sessionsLost = new Counter(LAB_METRICS.sessionsLost);
const homeNodeShare = new Rate(LAB_METRICS.homeNodeShare);
const thinkLag = new Trend(LAB_METRICS.thinkLag, true);
export const journeysStarted = new Counter(LAB_METRICS.journeysStarted);
export const journeysCompleted = new Counter(LAB_METRICS.journeysCompleted);

let touched = false;

/**
 * Adds 0 to every counter once per VU: k6 leaves a metric without samples
 * out of its summary, and the lab's reader must tell "none counted" (0)
 * from "not reported" (a script that does not emit it).
 */
export function touchCounters(): void {
  if (touched) return;
  touched = true;
  for (const counter of Object.values(counters)) counter.add(0);
  for (const counter of [errors, sessionsStarted, sessionsLost, journeysCompleted]) counter.add(0);
}

export class K6Recorder implements UserRecorder {
  request(end: RequestEnd): void {
    const route = end.route ?? 'other';
    const ok = end.errorKind === undefined;
    // Every fact of the request on its one sample, so the lab can rebuild
    // its per-second series from k6's JSON output (lab/run/k6-points.ts).
    const tags: Record<string, string> = { route, ok: String(ok) };
    if (end.errorKind !== undefined) tags.kind = end.errorKind;
    if (end.servedBy !== undefined) tags.served_by = end.servedBy;
    if (end.errorNode !== undefined) tags.error_node = end.errorNode;
    requestDuration.add(end.latencyMs, tags);
    requestFailed.add(!ok, { route });
    if (end.servedBy !== undefined) answers.add(1, { node: end.servedBy });
    if (end.errorKind !== undefined) {
      errors.add(1, { kind: end.errorKind, node: end.errorNode ?? 'none' });
    }
  }

  heldAnswer(servedBy: string, onHome: boolean): void {
    homeNodeShare.add(onHome, { node: servedBy });
  }

  count = (name: UserCounter, n = 1): void => {
    counters[name].add(n);
  };

  sessionLost(node: string): void {
    sessionsLost.add(1, { node });
  }

  sessionStarted(): void {
    sessionsStarted.add(1);
  }

  lag(ms: number): void {
    thinkLag.add(Math.max(0, ms));
  }
}
