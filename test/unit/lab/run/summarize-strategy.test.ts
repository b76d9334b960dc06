import assert from 'node:assert/strict';
import type { LoadTotals } from '../../../../loadgen/types.ts';
import { parseScenario } from '../../../../lab/run/scenario.ts';
import { summarizeStrategy, type StrategyRaw } from '../../../../lab/run/summarize-strategy.ts';
import type { ProcessSeries } from '../../../../report/summary-schema.ts';

function totals(fields: Partial<LoadTotals> = {}): LoadTotals {
  return {
    startedAtMs: 1_000,
    elapsedMs: 10_000,
    requests: 1000,
    errors: 0,
    errorsByKind: {},
    latencyMs: { p50: 2, p95: 5, p99: 9, max: 20 },
    servedBy: { 'node-1': 500, 'node-2': 500 },
    errorsByNode: {},
    sessionsLostByNode: {},
    journeysStarted: 100,
    journeysCompleted: 100,
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
    ...fields,
  };
}

function process(name: string, kind: ProcessSeries['kind'], cpuMicros: number): ProcessSeries {
  return { name, kind, cores: [], rssMiB: [], cpuMicros };
}

function raw(
  fields: Partial<StrategyRaw> = {},
  thresholds: Record<string, number> = {},
): StrategyRaw {
  return {
    strategy: 'redis:cas',
    scenario: parseScenario({ name: 't', thresholds, load: { vus: 50 } }, 't.json'),
    totals: totals(),
    series: [],
    processes: [
      process('balancer', 'balancer', 300_000),
      process('node-1', 'node', 400_000),
      process('node-2', 'node', 600_000),
      process('redis', 'store', 100_000),
      process('loadgen', 'loadgen', 2_000_000),
    ],
    events: [],
    probes: {},
    loadgenExitCode: 0,
    ...fields,
  };
}

describe('summarizing one strategy', () => {
  it('divides CPU by requests per process kind, and rates by the elapsed time', () => {
    const summary = summarizeStrategy(raw());
    assert.deepEqual(summary.cpuPerRequestMicros, {
      balancer: 300,
      nodes: 1000,
      stores: 100,
      generator: 2000,
    });
    assert.equal(summary.throughput, 100);
    assert.equal(summary.loadgenCores, 0.2);
    assert.deepEqual(summary.bytesPerRequest, { sent: 150, received: 250 });
    assert.deepEqual(summary.warnings, []);
  });

  it('adds the generator processes of a split load, and shows each part with its CPU per request', () => {
    const summary = summarizeStrategy(
      raw({
        processes: [
          process('balancer', 'balancer', 300_000),
          process('loadgen-1', 'loadgen', 30_000),
          process('loadgen-2', 'loadgen', 10_000),
        ],
        loadgenParts: [
          { name: 'loadgen-1', pid: 10, requests: 600, exitCode: 0 },
          { name: 'loadgen-2', pid: 11, requests: 400, exitCode: 0 },
        ],
      }),
    );
    assert.equal(summary.cpuPerRequestMicros.generator, 40, '(30 + 10 ms) / 1000 requests');
    assert.equal(summary.loadgenCores, 0.004);
    assert.deepEqual(summary.load, {
      processes: 2,
      parts: [
        { name: 'loadgen-1', requests: 600, cpuMicros: 30_000, cpuPerRequestMicros: 50 },
        { name: 'loadgen-2', requests: 400, cpuMicros: 10_000, cpuPerRequestMicros: 25 },
      ],
    });
  });

  it('warns on a busy generator process, not on parts that are busy only together', () => {
    const parts = (cpu: number) =>
      raw({
        processes: [process('loadgen-1', 'loadgen', cpu), process('loadgen-2', 'loadgen', cpu)],
        loadgenParts: [
          { name: 'loadgen-1', pid: 10, requests: 500, exitCode: 0 },
          { name: 'loadgen-2', pid: 11, requests: 500, exitCode: 0 },
        ],
      });
    const together = summarizeStrategy(parts(6_000_000));
    assert.equal(together.loadgenCores, 1.2);
    assert.deepEqual(together.warnings, [], 'two processes at 0.6 of a core each');
    const busy = summarizeStrategy(parts(9_000_000)).warnings.join('\n');
    assert.match(busy, /used 0\.90 of a core \(its busiest process\).*raise load\.processes/);
  });

  it('says null, not 0, for a process kind the strategy does not run', () => {
    const summary = summarizeStrategy(
      raw({ processes: [process('node-1', 'node', 1000), process('balancer', 'balancer', 10)] }),
    );
    assert.equal(summary.cpuPerRequestMicros.stores, null);
  });

  it('checks every threshold of the scenario and warns on each failed one', () => {
    const summary = summarizeStrategy(
      raw(
        { totals: totals({ errors: 20, sessionsLost: 3 }) },
        { errorRate: 0.01, sessionsLost: 5 },
      ),
    );
    assert.deepEqual(summary.thresholds, [
      { name: 'errorRate', limit: 0.01, value: 0.02, ok: false },
      { name: 'sessionsLost', limit: 5, value: 3, ok: true },
    ]);
    assert.deepEqual(summary.warnings, ['redis:cas: threshold errorRate failed: 0.02 > 0.01']);
  });

  it('fails a threshold it could not measure (nothing answered), never passes it', () => {
    const summary = summarizeStrategy(
      raw(
        {
          totals: totals({
            requests: 0,
            errors: 0,
            latencyMs: { p50: null, p95: null, p99: null, max: null },
          }),
        },
        { errorRate: 0.01, p99Ms: 2000 },
      ),
    );
    assert.deepEqual(
      summary.thresholds.map((t) => [t.name, t.value, t.ok]),
      [
        ['errorRate', null, false],
        ['p99Ms', null, false],
      ],
    );
    assert.ok(summary.warnings.includes('redis:cas: threshold p99Ms failed: nothing was measured'));
  });

  it('warns when the figures cannot be trusted: drops, a busy or late generator, a bad exit', () => {
    const summary = summarizeStrategy(
      raw({
        totals: totals({ dropped: 7, schedulingLagP99Ms: 120 }),
        processes: [process('loadgen', 'loadgen', 9_000_000)],
        loadgenExitCode: 1,
      }),
    );
    const text = summary.warnings.join('\n');
    assert.match(text, /7 journeys dropped \(the in-flight cap was reached\)/);
    assert.match(text, /load generator used 0\.90 of a core/);
    assert.match(text, /up to 120 ms late/);
    assert.match(text, /exited with status 1/);
  });

  it('says why journeys were dropped: the system, the generator, or the cap', () => {
    const warn = (droppedBy: { cap: number; generator: number; latency: number }) =>
      summarizeStrategy(
        raw({
          totals: totals({
            dropped: droppedBy.cap + droppedBy.generator + droppedBy.latency,
            droppedBy,
          }),
        }),
      ).warnings.join('\n');
    const slow = warn({ cap: 0, generator: 0, latency: 5 });
    assert.match(slow, /5 because the system was slow/);
    assert.doesNotMatch(slow, /in-flight cap|generator ran late/);
    const late = warn({ cap: 0, generator: 4, latency: 0 });
    assert.match(late, /4 because the generator ran late/);
    assert.doesNotMatch(late, /system was slow/);
    const cap = warn({ cap: 3, generator: 0, latency: 0 });
    assert.match(cap, /3 at the in-flight cap/);
    assert.doesNotMatch(cap, /system was slow|generator ran late/);
  });

  it('warns when the generator gives up before the balancer, and not when it waits longer', () => {
    const settings = (timeoutMs: number) => ({
      journey: 'shop' as const,
      model: 'open' as const,
      rate: 5,
      vus: 50,
      vusSource: 'sized' as const,
      expectedJourneyMs: 1000,
      expectedRequestMs: 50,
      vusSafetyFactor: 2,
      timeoutMs,
      balancerUpstreamTimeoutMs: 10_000,
      refreshRetry: { retries: 3, windowMs: 2000 },
    });
    const warnings = (timeoutMs: number) =>
      summarizeStrategy(raw({ totals: totals({ settings: settings(timeoutMs) }) })).warnings.join(
        '\n',
      );
    assert.match(warnings(5000), /gave up after 5000 ms, before the balancer's 10000 ms/);
    assert.doesNotMatch(warnings(15_000), /gave up after/);
  });

  it('checks the lost-updates threshold against the lower bound, which counts rounds with a write of unknown fate', () => {
    const summary = summarizeStrategy(
      raw(
        { totals: totals({ lostUpdates: 0, lostUpdatesLowerBound: 4, uncertainWrites: 2 }) },
        { lostUpdates: 0 },
      ),
    );
    assert.deepEqual(
      summary.thresholds.map((t) => [t.name, t.value, t.ok]),
      [['lostUpdates', 4, false]],
    );
  });

  it('carries failed chaos steps and probes that measured nothing into the warnings', () => {
    const summary = summarizeStrategy(
      raw({
        events: [
          {
            at: 'x',
            t: 3,
            action: 'kill',
            target: 'node-9',
            detail: 'unknown node',
            status: 'failed',
            error: 'UNKNOWN_TARGET',
            windowS: 0,
            errors: 0,
            sessionsLost: 0,
            staleReads: 0,
            lostUpdates: 0,
            sessionsLostByNode: {},
            errorsByNode: {},
            ejectedAfterS: null,
            recoveredAfterS: null,
          },
        ],
        probes: {
          probeErrors: [{ probe: 'memory', code: 'PROBE_TIMEOUT', message: 'took too long' }],
        },
      }),
    );
    assert.deepEqual(summary.warnings, [
      'redis:cas: chaos kill node-9 at 3 s failed: unknown node',
      'redis:cas: probe memory measured nothing: took too long',
    ]);
  });
});
