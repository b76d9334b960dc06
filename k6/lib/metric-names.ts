// The names of every k6 metric the lab's scripts emit, in one table: the
// scripts declare their metrics from it and the lab's reader of k6's summary
// (lab/run/k6-summary.ts) reads them by it. Plain data, no k6 import, so
// Node's tests can import it too.
import { ROUTES } from '../../common/routes.ts';
import type { UserCounter } from '../../loadgen/core/user-recorder.ts';

/** One counter per event a user counts (the SecondPoint field of the same name). */
export const COUNTER_METRICS: Readonly<Record<UserCounter, string>> = {
  relogins: 'lab_relogins',
  uncertainWrites: 'lab_uncertain_writes',
  staleReads: 'lab_stale_reads',
  lostUpdates: 'lab_lost_updates',
  lostUpdatesLowerBound: 'lab_lost_updates_lower_bound',
  uncertainRounds: 'lab_uncertain_rounds',
  doubledUpdates: 'lab_doubled_updates',
  conflicts: 'lab_conflicts',
  refreshes: 'lab_refreshes',
  refreshFailures: 'lab_refresh_failures',
  refreshRetries: 'lab_refresh_retries',
  refreshRevokedByReuse: 'lab_refresh_revoked_by_reuse',
  refreshLost: 'lab_refresh_lost',
};

/** The lab's other metrics, with their k6 type and tags. */
export const LAB_METRICS = {
  /**
   * Trend (time): every request, failed ones timed too. Tags `route`, `ok`
   * (`true` for 2xx), and when known `kind` (its error kind), `served_by`
   * (X-Served-By) and `error_node` (the node that caused an error).
   */
  requestDuration: 'lab_request_duration',
  /** Rate, tag `route`: 1 for a request outside 2xx or without an answer. */
  requestFailed: 'lab_request_failed',
  /** Counter, tags `kind` (error-kinds.ts) and `node` (the node that caused it). */
  errors: 'lab_errors',
  /** Counter, tag `node`: answers by X-Served-By (`none` when absent). */
  answers: 'lab_answers',
  /** Counter: logins that started a session. */
  sessionsStarted: 'lab_sessions_started',
  /** Counter, tag `node`: held sessions answered 401, by the node that served them last. */
  sessionsLost: 'lab_sessions_lost',
  /** Rate: of the answers to a held session, those from its home node (the login's). */
  homeNodeShare: 'lab_home_node_share',
  /** Counters: journeys (k6 iterations) begun, and those that ran to their end. */
  journeysStarted: 'lab_journeys_started',
  journeysCompleted: 'lab_journeys_completed',
  /** Trend (time): how late a think time ended, ms. */
  thinkLag: 'lab_think_lag',
} as const;

/** k6's own metrics the reader uses. */
export const BUILTIN_METRICS = {
  dropped: 'dropped_iterations',
  dataSent: 'data_sent',
  dataReceived: 'data_received',
} as const;

/**
 * Error kinds given their own submetric. A summary only carries a tagged
 * figure when the script names it, so a kind outside this list counts in
 * the total and under `other`.
 */
export const ERROR_KINDS = [
  '400',
  '401',
  '403',
  '404',
  '409',
  '413',
  '429',
  '500',
  '502',
  '503',
  '504',
  'timeout',
  'reset',
  'refused',
  'network',
] as const;

/** The kind an error outside ERROR_KINDS is reported under. */
export const OTHER_KIND = 'other';

/** The statistics of every trend in the summary (`count` so a trend also says how many). */
export const TREND_STATS = ['avg', 'min', 'med', 'max', 'p(50)', 'p(95)', 'p(99)', 'count'];

/** `metric{tag:value,...}`: how k6 names a submetric, in a summary as in a threshold. */
export function submetric(metric: string, tags: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(tags).map(([tag, value]) => `${tag}:${value}`);
  return `${metric}{${pairs.join(',')}}`;
}

/** The metric a (sub)metric name belongs to: `lab_errors{kind:401}` -> `lab_errors`. */
export function baseMetric(name: string): string {
  const brace = name.indexOf('{');
  return brace === -1 ? name : name.slice(0, brace);
}

/** What X-Served-By may say for `nodes` nodes: node-1..node-N, the balancer itself, or nothing. */
export function nodeNames(nodes: number): string[] {
  return [...Array.from({ length: nodes }, (_, i) => `node-${i + 1}`), 'balancer', 'none'];
}

/** The submetrics a script declares (each with a threshold that cannot fail) so the summary carries them. */
export function declaredSubmetrics(nodes: number): string[] {
  const { requestDuration, requestFailed, errors, answers, sessionsLost } = LAB_METRICS;
  return [
    submetric(requestDuration, { ok: 'true' }),
    ...ROUTES.flatMap((route) => [
      submetric(requestDuration, { route }),
      submetric(requestDuration, { route, ok: 'true' }),
      submetric(requestFailed, { route }),
    ]),
    ...ERROR_KINDS.map((kind) => submetric(errors, { kind })),
    ...nodeNames(nodes).flatMap((node) => [
      submetric(errors, { node }),
      submetric(answers, { node }),
      submetric(sessionsLost, { node }),
    ]),
  ];
}
