// summary.json has one schema (report/summary-schema.ts): what the lab's
// writer produces must pass it whole (no field the writer sets is unknown to
// it and dropped on read), older runs without the later fields still read,
// and a file of another schema version is refused naming both versions.
import assert from 'node:assert/strict';
import { parseScenario } from '../../../lab/run/scenario.ts';
import { summarizeStrategy } from '../../../lab/run/summarize-strategy.ts';
import type { LoadTotals, SecondPoint } from '../../../loadgen/types.ts';
import { checkSummary } from '../../../report/summary-check.ts';
import { RunSummarySchema, type RunSummary } from '../../../report/summary-schema.ts';
import { fixtureSummary } from './fixture.ts';

/** The figures the generator added after the first runs, in the totals and in each second. */
const laterCounters = {
  droppedBy: { cap: 1, generator: 0, latency: 2 },
  lostUpdatesLowerBound: 0,
  uncertainWrites: 1,
  uncertainRounds: 1,
  refreshRetries: 2,
  refreshRevokedByReuse: 0,
  refreshLost: 0,
  heldAnswersByNode: { 'node-1': { answers: 10, home: 9 } },
};

/**
 * Every field the load generator writes (typed by loadgen/types.ts: a new
 * required one must be added here; add an optional one too, or this test
 * cannot see the schema miss it).
 */
const totals: LoadTotals = {
  startedAtMs: 1_000,
  elapsedMs: 10_000,
  requests: 1000,
  errors: 3,
  errorsByKind: { '503': 3 },
  latencyMs: { p50: 2, p95: 5, p99: 9, max: 20 },
  successLatencyMs: { p50: 2, p95: 4, p99: 8, max: 19 },
  failedRate: 0.003,
  networkErrorCodes: { ECONNRESET: 1 },
  servedBy: { 'node-1': 500, 'node-2': 500 },
  errorsByNode: { 'node-1': 3 },
  sessionsLostByNode: {},
  journeysStarted: 100,
  journeysCompleted: 99,
  dropped: 0,
  sessionsStarted: 100,
  sessionsLost: 0,
  staleReads: 0,
  lostUpdates: 0,
  doubledUpdates: 0,
  conflicts: 0,
  relogins: 0,
  refreshes: 0,
  refreshFailures: 0,
  bytesSent: 150_000,
  bytesReceived: 250_000,
  schedulingLagP99Ms: 1,
  pinnedServed: 990,
  pinnedTotal: 1000,
  latencyByRoute: {
    me: { count: 400, failed: 1, p50: 1.5, p99: 4, successP50: 1.5, successP99: 3.9 },
  },
  ...laterCounters,
  settings: {
    journey: 'shop',
    model: 'open',
    rate: 10,
    vus: 50,
    vusSource: 'sized',
    expectedJourneyMs: 3000,
    expectedRequestMs: 20,
    vusSafetyFactor: 2,
    timeoutMs: 6000,
    balancerUpstreamTimeoutMs: 5000,
    refreshRetry: { retries: 2, windowMs: 2000 },
  },
  setup: { wanted: 50, loggedIn: 50, requests: 50, errors: 0, elapsedMs: 400 },
};

const second: SecondPoint = {
  t: 0,
  requests: 100,
  errors: 0,
  errorsByKind: {},
  p50Ms: 2,
  p95Ms: 5,
  p99Ms: 9,
  successP50Ms: 2,
  successP95Ms: 5,
  successP99Ms: 8,
  failedRate: 0,
  servedBy: { 'node-1': 50, 'node-2': 50 },
  errorsByNode: {},
  sessionsLostByNode: {},
  journeysStarted: 10,
  journeysCompleted: 10,
  dropped: 0,
  sessionsLost: 0,
  staleReads: 0,
  lostUpdates: 0,
  doubledUpdates: 0,
  conflicts: 0,
  relogins: 0,
  refreshes: 0,
  refreshFailures: 0,
  pinnedServed: 99,
  pinnedTotal: 100,
  ...laterCounters,
};

/** A summary as `lab run` writes it: its strategy entry made by the lab's own summarizer. */
function written(): RunSummary {
  const strategy = summarizeStrategy({
    strategy: 'redis:cas',
    scenario: parseScenario({ name: 't', thresholds: { errorRate: 0.01 } }, 't.json'),
    totals,
    series: [second],
    processes: [{ name: 'node-1', kind: 'node', cores: [0.5], rssMiB: [80], cpuMicros: 500_000 }],
    events: [
      {
        at: '2026-01-01T00:00:05.000Z',
        t: 5,
        action: 'kill',
        target: 'node-1',
        detail: '',
        status: 'done',
        tookS: 0.1,
        windowS: 5,
        errors: 3,
        sessionsLost: 0,
        staleReads: 0,
        lostUpdates: 0,
        sessionsLostByNode: {},
        errorsByNode: { 'node-1': 3 },
        ejectedAfterS: 1,
        recoveredAfterS: 2,
      },
    ],
    probes: {
      storeOpsPerRefresh: 8,
      probeErrors: [{ probe: 'revocation', code: 'PROBE_TIMEOUT', message: 'too slow' }],
    },
    loadgenExitCode: 0,
  });
  return { ...fixtureSummary(), strategies: [strategy], notMeasured: [] };
}

describe('summary.json schema', () => {
  it("passes what the lab's writer produces, every field kept", () => {
    const summary = written();
    const checked = checkSummary(JSON.parse(JSON.stringify(summary)));
    assert.ok(checked.ok, checked.ok ? '' : checked.problems.join('\n'));
    // zod drops what the schema does not declare: equal means it declares every field written.
    assert.deepEqual(RunSummarySchema.parse(JSON.parse(JSON.stringify(summary))), summary);
  });

  it('reads the first runs, without the fields added later, and keeps the rest', () => {
    const old = fixtureSummary();
    const checked = checkSummary(JSON.parse(JSON.stringify(old)));
    assert.ok(checked.ok, checked.ok ? '' : checked.problems.join('\n'));
    assert.deepEqual(RunSummarySchema.parse(old), old);
    assert.equal(checked.summary.strategies[0]!.totals.latencyByRoute, undefined);
  });

  it('refuses another schema version, naming the one found and the one it reads', () => {
    const checked = checkSummary({ ...written(), schemaVersion: 2 });
    assert.deepEqual(checked, {
      ok: false,
      problems: ['schemaVersion is 2; this lab reads version 1'],
    });
    const none = checkSummary({ scenario: 'quick' });
    assert.ok(
      !none.ok && /schemaVersion is undefined; this lab reads version 1/.test(none.problems[0]!),
    );
  });
});
