import assert from 'node:assert/strict';
import { partConfig } from '../../../../lab/run/loadgen-process.ts';
import { mergeSeries, mergeTotals, withoutHistograms } from '../../../../lab/run/merge-loadgen.ts';
import { RunTotals } from '../../../../loadgen/run-totals.ts';
import { SecondSeries, type RequestEnd } from '../../../../loadgen/second-series.ts';
import { seededRandom } from '../../../../loadgen/core/seeded-random.ts';
import type { LoadConfig, LoadTotals, SecondPoint } from '../../../../loadgen/types.ts';

/** What one generator process would report for `ends` (by second): its series and totals. */
function part(ends: { t: number; end: RequestEnd }[]): {
  series: SecondPoint[];
  totals: LoadTotals;
} {
  const series = new SecondSeries();
  const totals = new RunTotals();
  for (const { t, end } of ends) {
    series.request(t, end);
    totals.request(end, end.errorKind === 'timeout' ? 'timeout' : undefined);
    totals.lags.record(end.latencyMs / 100);
  }
  series.count(0, 'journeysStarted', ends.length);
  const points = [0, 1, 2].map((t) => series.take(t)).filter((point) => point.requests > 0);
  for (const point of points) totals.add(point);
  return { series: points, totals: totals.build(1000, 3000, { sent: 10, received: 20 }) };
}

/** Requests over three seconds: latencies over four decades, some failed, served by two nodes. */
function requests(n: number, seed: number, seconds = 3) {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const latencyMs = 0.2 * Math.exp(random() * Math.log(10_000));
    const failed = random() < 0.1;
    return {
      t: Math.floor(random() * seconds),
      end: {
        latencyMs,
        errorKind: failed ? 'timeout' : undefined,
        servedBy: failed ? undefined : random() < 0.5 ? 'node-1' : 'node-2',
        route: random() < 0.5 ? ('me' as const) : ('cart' as const),
      },
    };
  });
}

/** The exact nearest-rank percentile of `values`. */
function exact(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
}

function within1(actual: number | null | undefined, truth: number, what: string): void {
  assert.ok(
    typeof actual === 'number' && Math.abs(actual - truth) <= truth * 0.01 + 0.005,
    `${what}: ${actual} not within 1 % of ${truth}`,
  );
}

describe('merging generator processes', () => {
  const a = requests(3000, 1);
  const b = requests(2000, 2, 2); // a part that saw no request in second 2
  const parts = [part(a), part(b)];

  it('adds every count of a second exactly; percentiles within 1 % of the exact ones over both parts', () => {
    const merged = mergeSeries(parts.map((p) => p.series));
    assert.deepEqual(
      merged.map((point) => point.t),
      [0, 1, 2],
    );
    for (const point of merged) {
      const ends = [...a, ...b].filter((request) => request.t === point.t).map((r) => r.end);
      const failed = ends.filter((end) => end.errorKind !== undefined);
      assert.equal(point.requests, ends.length);
      assert.equal(point.errors, failed.length);
      assert.deepEqual(point.errorsByKind, failed.length > 0 ? { timeout: failed.length } : {});
      const served = ends.filter((end) => end.servedBy === 'node-1').length;
      assert.equal(point.servedBy['node-1'], served);
      assert.equal(point.failedRate, Math.round((failed.length / ends.length) * 10_000) / 10_000);
      const latencies = ends.map((end) => end.latencyMs);
      within1(point.p50Ms, exact(latencies, 0.5), `second ${point.t} p50`);
      within1(point.p99Ms, exact(latencies, 0.99), `second ${point.t} p99`);
      const ok = ends.filter((end) => end.errorKind === undefined).map((end) => end.latencyMs);
      within1(point.successP95Ms, exact(ok, 0.95), `second ${point.t} success p95`);
    }
    const journeys = merged.reduce((sum, point) => sum + point.journeysStarted, 0);
    assert.equal(journeys, a.length + b.length);
  });

  it('merges totals: counts and bytes add, percentiles and per-route figures within 1 %, max exact', () => {
    const totals = mergeTotals(parts.map((p) => p.totals));
    const all = [...a, ...b].map((r) => r.end);
    assert.equal(totals.requests, all.length);
    assert.equal(totals.errors, all.filter((end) => end.errorKind !== undefined).length);
    assert.deepEqual([totals.bytesSent, totals.bytesReceived], [20, 40]);
    assert.equal(totals.journeysStarted, all.length);
    assert.equal(totals.networkErrorCodes?.timeout, totals.errors);
    const latencies = all.map((end) => end.latencyMs);
    within1(totals.latencyMs.p50, exact(latencies, 0.5), 'p50');
    within1(totals.latencyMs.p95, exact(latencies, 0.95), 'p95');
    within1(totals.latencyMs.p99, exact(latencies, 0.99), 'p99');
    assert.equal(totals.latencyMs.max, Math.round(Math.max(...latencies) * 100) / 100);
    const me = all.filter((end) => end.route === 'me');
    assert.equal(totals.latencyByRoute?.me?.count, me.length);
    within1(
      totals.latencyByRoute?.me?.p99,
      exact(
        me.map((end) => end.latencyMs),
        0.99,
      ),
      'me p99',
    );
    within1(totals.schedulingLagP99Ms, exact(latencies, 0.99) / 100, 'lag p99');
    const stripped = withoutHistograms(totals);
    assert.equal(stripped.histograms, undefined, 'summary.json does not carry the histograms');
    assert.equal(stripped.requests, totals.requests);
  });

  it('splits the load: shares of rate and vus that add up, disjoint parts, different seeds', () => {
    const config = { rate: 30, vus: 7, seed: 42 } as LoadConfig;
    const split = [0, 1, 2].map((index) => partConfig(config, index, 3));
    assert.deepEqual(
      split.map((p) => [p.rate, p.vus, p.seed, p.part, p.processes]),
      [
        [10, 3, 42, 0, 3],
        [10, 2, 43, 1, 3],
        [10, 2, 44, 2, 3],
      ],
    );
  });
});
