// Reads k6's end-of-test summary into the lab's LoadTotals, so a k6 run
// lands in the same summary.json and reports. Two documented formats: the
// data k6 hands to handleSummary (`metrics.<name>.values`, thresholds as
// `{ok}`), which the lab's scripts write to LAB_SUMMARY, and the older
// `--summary-export` file (statistics flat on the metric, a rate's share as
// `value`, and thresholds as booleans that are true when the threshold
// FAILED, as k6 documents it). docs/k6.md lists what cannot be had from either.
import { ROUTES } from '../../common/routes.ts';
import { USER_COUNTERS } from '../../loadgen/core/user-recorder.ts';
import type {
  GeneratorSettings,
  LatencySummary,
  LoadTotals,
  RouteLatency,
} from '../../loadgen/types.ts';
import {
  baseMetric,
  BUILTIN_METRICS,
  COUNTER_METRICS,
  ERROR_KINDS,
  LAB_METRICS,
  OTHER_KIND,
  submetric,
} from '../../k6/lib/metric-names.ts';
import { LabError } from '../errors.ts';

/** One metric of the summary, whatever the format: its statistics and its thresholds' verdicts. */
export interface K6Metric {
  values: Record<string, number>;
  thresholds: { expression: string; ok: boolean }[];
}

export interface K6Summary {
  format: 'handleSummary' | 'summary-export';
  /** By (sub)metric name as k6 writes it: `lab_errors{kind:401}`. */
  metrics: Map<string, K6Metric>;
  /** handleSummary's state.testRunDurationMs; the export has none. */
  testRunDurationMs: number | undefined;
}

/** Every metric the reader turns into a summary.json figure, and which. */
export const K6_METRIC_FIELDS: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    USER_COUNTERS.map((name) => [COUNTER_METRICS[name], `totals.${name}`] as const),
  ),
  [LAB_METRICS.requestDuration]:
    'totals.requests (count), latencyMs, successLatencyMs ({ok:true}), latencyByRoute ({route})',
  [LAB_METRICS.requestFailed]: 'totals.errors (passes), failedRate, latencyByRoute[].failed',
  [LAB_METRICS.errors]: 'totals.errorsByKind ({kind}), errorsByNode ({node})',
  [LAB_METRICS.answers]: 'totals.servedBy ({node})',
  [LAB_METRICS.sessionsStarted]: 'totals.sessionsStarted',
  [LAB_METRICS.sessionsLost]: 'totals.sessionsLost, sessionsLostByNode ({node})',
  [LAB_METRICS.homeNodeShare]: 'totals.pinnedServed (passes), pinnedTotal (passes + fails)',
  [LAB_METRICS.journeysStarted]: 'totals.journeysStarted',
  [LAB_METRICS.journeysCompleted]: 'totals.journeysCompleted',
  [LAB_METRICS.thinkLag]: 'totals.schedulingLagP99Ms (p(99))',
  [BUILTIN_METRICS.dropped]: 'totals.dropped',
  [BUILTIN_METRICS.dataSent]: 'totals.bytesSent',
  [BUILTIN_METRICS.dataReceived]: 'totals.bytesReceived',
};

function bad(file: string, problem: string): LabError {
  return new LabError(
    'LOADGEN_FAILED',
    `${file}: not a k6 summary: ${problem}`,
    'run one of the lab’s k6 scripts (k6/*.ts); docs/k6.md',
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function numbers(record: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(record).filter(
      (entry): entry is [string, number] => typeof entry[1] === 'number',
    ),
  );
}

/** Either format, checked: `file` names it in errors. */
export function parseK6Summary(json: unknown, file: string): K6Summary {
  if (!isObject(json) || !isObject(json.metrics)) throw bad(file, 'no `metrics` object');
  const entries = Object.entries(json.metrics);
  const nested = entries.some(([, metric]) => isObject(metric) && isObject(metric.values));
  const metrics = new Map<string, K6Metric>();
  for (const [name, raw] of entries) {
    if (!isObject(raw)) throw bad(file, `metric ${name} is not an object`);
    const thresholds = isObject(raw.thresholds) ? Object.entries(raw.thresholds) : [];
    if (nested) {
      if (!isObject(raw.values)) throw bad(file, `metric ${name} has no values`);
      metrics.set(name, {
        values: numbers(raw.values),
        thresholds: thresholds.map(([expression, verdict]) => ({
          expression,
          ok: isObject(verdict) && verdict.ok === true,
        })),
      });
    } else {
      const values = numbers(raw);
      // The export names a rate's share `value`; handleSummary names it `rate`.
      if (values.passes !== undefined && values.value !== undefined) values.rate = values.value;
      metrics.set(name, {
        values,
        thresholds: thresholds.map(([expression, failed]) => ({
          expression,
          ok: failed === false,
        })),
      });
    }
  }
  const state = isObject(json.state) ? json.state : {};
  return {
    format: nested ? 'handleSummary' : 'summary-export',
    metrics,
    testRunDurationMs:
      typeof state.testRunDurationMs === 'number' ? state.testRunDurationMs : undefined,
  };
}

/** What the lab knows of the run beside k6's summary. */
export interface K6RunFacts {
  /** Epoch ms when the lab started k6. */
  startedAtMs: number;
  /** The lab's own wall time of the k6 process, for an export that has no duration. */
  wallMs: number;
  settings: GeneratorSettings;
}

/** The summary as LoadTotals, with notes on what it lacked or what k6 itself failed. */
export function totalsFromK6(
  summary: K6Summary,
  facts: K6RunFacts,
): { totals: LoadTotals; notes: string[] } {
  const { metrics } = summary;
  const notes: string[] = [];
  const missing: string[] = [];
  const stat = (name: string, key: string): number | undefined => metrics.get(name)?.values[key];
  /** A count that must be there; absent means the script did not report it: 0, and said. */
  const count = (name: string): number => {
    const metric = metrics.get(name);
    if (!metric) {
      missing.push(name);
      return 0;
    }
    return metric.values.count ?? 0;
  };
  const tagged = (metric: string, tag: string, key: string) => byTag(metrics, metric, tag, key);

  const failed = metrics.get(LAB_METRICS.requestFailed)?.values;
  const requests = count(LAB_METRICS.requestDuration);
  const errors = failed?.passes ?? 0;
  const counters = Object.fromEntries(
    USER_COUNTERS.map((name) => [name, count(COUNTER_METRICS[name])]),
  );
  const share = metrics.get(LAB_METRICS.homeNodeShare)?.values;
  const totals: LoadTotals = {
    startedAtMs: facts.startedAtMs,
    elapsedMs: Math.round(summary.testRunDurationMs ?? facts.wallMs),
    requests,
    errors,
    errorsByKind: errorsByKind(metrics, errors),
    latencyMs: latency(metrics.get(LAB_METRICS.requestDuration)),
    successLatencyMs: latency(metrics.get(submetric(LAB_METRICS.requestDuration, { ok: 'true' }))),
    failedRate: requests > 0 ? errors / requests : null,
    networkErrorCodes: {},
    servedBy: tagged(LAB_METRICS.answers, 'node', 'count'),
    errorsByNode: tagged(LAB_METRICS.errors, 'node', 'count'),
    sessionsLostByNode: tagged(LAB_METRICS.sessionsLost, 'node', 'count'),
    journeysStarted: count(LAB_METRICS.journeysStarted),
    journeysCompleted: count(LAB_METRICS.journeysCompleted),
    dropped: stat(BUILTIN_METRICS.dropped, 'count') ?? 0,
    sessionsStarted: count(LAB_METRICS.sessionsStarted),
    sessionsLost: count(LAB_METRICS.sessionsLost),
    staleReads: counters.staleReads!,
    lostUpdates: counters.lostUpdates!,
    lostUpdatesLowerBound: counters.lostUpdatesLowerBound!,
    uncertainWrites: counters.uncertainWrites!,
    uncertainRounds: counters.uncertainRounds!,
    doubledUpdates: counters.doubledUpdates!,
    conflicts: counters.conflicts!,
    relogins: counters.relogins!,
    refreshes: counters.refreshes!,
    refreshFailures: counters.refreshFailures!,
    refreshRetries: counters.refreshRetries!,
    refreshRevokedByReuse: counters.refreshRevokedByReuse!,
    refreshLost: counters.refreshLost!,
    bytesSent: stat(BUILTIN_METRICS.dataSent, 'count') ?? 0,
    bytesReceived: stat(BUILTIN_METRICS.dataReceived, 'count') ?? 0,
    schedulingLagP99Ms: stat(LAB_METRICS.thinkLag, 'p(99)') ?? 0,
    pinnedServed: share?.passes ?? 0,
    pinnedTotal: (share?.passes ?? 0) + (share?.fails ?? 0),
    latencyByRoute: latencyByRoute(metrics),
    settings: facts.settings,
  };
  if (!failed) missing.push(LAB_METRICS.requestFailed);
  if (missing.length > 0) {
    notes.push(
      `k6's summary has no ${missing.join(', ')}: counted as 0 (k6 leaves out a metric nothing was added to; did every journey fail to start?)`,
    );
  }
  for (const [name, metric] of metrics) {
    for (const threshold of metric.thresholds.filter((entry) => !entry.ok)) {
      notes.push(`k6 threshold failed: ${name} ${threshold.expression}`);
    }
  }
  return { totals, notes };
}

/** Every submetric `metric{tag:value}` with that single tag, as value -> statistic (non-zero only). */
function byTag(
  metrics: Map<string, K6Metric>,
  metric: string,
  tag: string,
  key: string,
): Record<string, number> {
  const prefix = `${metric}{${tag}:`;
  const result: Record<string, number> = {};
  for (const [name, entry] of metrics) {
    if (baseMetric(name) !== metric || !name.startsWith(prefix) || !name.endsWith('}')) continue;
    const value = name.slice(prefix.length, -1);
    const figure = entry.values[key] ?? 0;
    if (!value.includes(',') && figure > 0) result[value] = figure;
  }
  return result;
}

function errorsByKind(metrics: Map<string, K6Metric>, errors: number): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const kind of ERROR_KINDS) {
    const figure = metrics.get(submetric(LAB_METRICS.errors, { kind }))?.values.count ?? 0;
    if (figure > 0) kinds[kind] = figure;
  }
  // Kinds without a submetric of their own are in the total only.
  const other = errors - Object.values(kinds).reduce((sum, figure) => sum + figure, 0);
  if (other > 0) kinds[OTHER_KIND] = other;
  return kinds;
}

function latency(metric: K6Metric | undefined): LatencySummary {
  const values = metric?.values;
  if (!values || values.count === 0) return { p50: null, p95: null, p99: null, max: null };
  const pick = (...keys: string[]) => {
    for (const key of keys) if (values[key] !== undefined) return round2(values[key]);
    return null;
  };
  return { p50: pick('p(50)', 'med'), p95: pick('p(95)'), p99: pick('p(99)'), max: pick('max') };
}

function latencyByRoute(metrics: Map<string, K6Metric>): Record<string, RouteLatency> {
  return Object.fromEntries(
    ROUTES.map((route) => {
      const all = latency(metrics.get(submetric(LAB_METRICS.requestDuration, { route })));
      const ok = latency(
        metrics.get(submetric(LAB_METRICS.requestDuration, { route, ok: 'true' })),
      );
      const failed = metrics.get(submetric(LAB_METRICS.requestFailed, { route }))?.values;
      const entry: RouteLatency = {
        count: metrics.get(submetric(LAB_METRICS.requestDuration, { route }))?.values.count ?? 0,
        failed: failed?.passes ?? 0,
        p50: all.p50,
        p99: all.p99,
        successP50: ok.p50,
        successP99: ok.p99,
      };
      return [route, entry];
    }),
  );
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
