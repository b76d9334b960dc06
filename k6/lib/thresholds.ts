// A scenario's thresholds as k6 thresholds, so `k6 run` fails (exit 99) on
// the same limits `lab run` checks. Each is "figure <= limit", as the lab
// reads it (lab/run/summarize-strategy.ts). Plain data, no k6 import.
import {
  baseMetric,
  BUILTIN_METRICS,
  COUNTER_METRICS,
  declaredSubmetrics,
  LAB_METRICS,
} from './metric-names.ts';

/** The `thresholds` block of a scenario file (docs/scenarios.md). */
export interface ScenarioThresholds {
  errorRate?: number | undefined;
  p99Ms?: number | undefined;
  sessionsLost?: number | undefined;
  staleReads?: number | undefined;
  lostUpdates?: number | undefined;
  dropped?: number | undefined;
}

export type ThresholdName = keyof ScenarioThresholds;

/** Which k6 metric and statistic each scenario threshold limits. */
export const THRESHOLD_METRICS: Readonly<Record<ThresholdName, { metric: string; stat: string }>> =
  {
    errorRate: { metric: LAB_METRICS.requestFailed, stat: 'rate' },
    p99Ms: { metric: LAB_METRICS.requestDuration, stat: 'p(99)' },
    sessionsLost: { metric: LAB_METRICS.sessionsLost, stat: 'count' },
    staleReads: { metric: COUNTER_METRICS.staleReads, stat: 'count' },
    // The lower bound: the lost updates counted exactly plus those certainly
    // lost in rounds with a write of unknown fate (it is never below the exact count).
    lostUpdates: { metric: COUNTER_METRICS.lostUpdatesLowerBound, stat: 'count' },
    dropped: { metric: BUILTIN_METRICS.dropped, stat: 'count' },
  };

/** `p(99)<=250`: the k6 expression of one scenario limit. */
export function thresholdExpression(name: ThresholdName, limit: number): string {
  return `${THRESHOLD_METRICS[name].stat}<=${limit}`;
}

/** The scenario threshold a k6 threshold expression came from, or undefined for any other. */
export function scenarioThresholdOf(
  metric: string,
  expression: string,
): { name: ThresholdName; limit: number } | undefined {
  for (const [name, target] of Object.entries(THRESHOLD_METRICS)) {
    if (target.metric !== metric) continue;
    const prefix = `${target.stat}<=`;
    if (!expression.startsWith(prefix)) continue;
    const limit = Number(expression.slice(prefix.length));
    if (Number.isFinite(limit)) return { name: name as ThresholdName, limit };
  }
  return undefined;
}

// A submetric is in k6's summary only when a threshold names it: these
// cannot fail; they are how a script asks for its tagged figures.
function declaration(name: string): string {
  const base = baseMetric(name);
  if (base === LAB_METRICS.requestDuration) return 'max>=0';
  if (base === LAB_METRICS.requestFailed) return 'rate>=0';
  return 'count>=0';
}

/** Every threshold a script declares: the scenario's limits, and the submetrics it reports. */
export function k6Thresholds(limits: ScenarioThresholds, nodes: number): Record<string, string[]> {
  const thresholds: Record<string, string[]> = {};
  const add = (metric: string, expression: string) => (thresholds[metric] ??= []).push(expression);
  for (const name of Object.keys(THRESHOLD_METRICS) as ThresholdName[]) {
    const limit = limits[name];
    if (limit !== undefined) add(THRESHOLD_METRICS[name].metric, thresholdExpression(name, limit));
  }
  for (const name of declaredSubmetrics(nodes)) add(name, declaration(name));
  return thresholds;
}
