import assert from 'node:assert/strict';
import { RunTotals } from '../../../loadgen/run-totals.ts';
import { SecondSeries } from '../../../loadgen/second-series.ts';
import { errorNode } from '../../../loadgen/core/virtual-user.ts';

/**
 * Percentiles come from histograms (loadgen/latency-histogram.ts): each
 * within 1 % of the exact nearest-rank sample, then rounded to 0.01 ms.
 */
function near(actual: (number | null | undefined)[], exact: number[], what?: string): void {
  assert.equal(actual.length, exact.length);
  exact.forEach((value, i) => {
    const got = actual[i];
    assert.ok(
      typeof got === 'number' && Math.abs(got - value) <= value * 0.01 + 0.005,
      `${what ?? 'percentile'} ${i}: ${got} is not within 1 % of ${value}`,
    );
  });
}

const ok = (latencyMs: number, servedBy = 'node-1') => ({
  latencyMs,
  errorKind: undefined,
  servedBy,
});

describe('loadgen per-second aggregation', () => {
  it('counts each request in its own second, with percentiles of that second only', () => {
    const series = new SecondSeries();
    for (let i = 1; i <= 100; i += 1) series.request(0, ok(i));
    series.request(1, ok(500, 'node-2'));
    const first = series.take(0);
    assert.equal(first.t, 0);
    assert.equal(first.requests, 100);
    near([first.p50Ms, first.p95Ms, first.p99Ms], [50, 95, 99]);
    assert.deepEqual(first.servedBy, { 'node-1': 100 });
    const second = series.take(1);
    assert.equal(second.requests, 1);
    assert.deepEqual([second.p50Ms, second.p99Ms], [500, 500], 'one sample: min = max, exact');
    assert.deepEqual(second.servedBy, { 'node-2': 1 });
  });

  it('times failed requests too (a timeout at its full wait); success-only percentiles apart', () => {
    const series = new SecondSeries();
    series.request(0, { latencyMs: 3, errorKind: '503', servedBy: 'none' });
    series.request(0, { latencyMs: 5000, errorKind: 'timeout', servedBy: undefined });
    series.request(0, { latencyMs: 5001, errorKind: 'timeout', servedBy: undefined });
    series.request(0, ok(1));
    const point = series.take(0);
    assert.equal(point.requests, 4);
    assert.equal(point.errors, 3);
    assert.equal(point.failedRate, 0.75);
    assert.deepEqual(point.errorsByKind, { '503': 1, timeout: 2 });
    assert.deepEqual(point.servedBy, { none: 1, 'node-1': 1 }, 'no node for no answer');
    near([point.p50Ms, point.p99Ms], [3, 5001], 'the timeouts are in the latency');
    assert.deepEqual([point.successP50Ms, point.successP99Ms], [1, 1]);
  });

  it('counts drops by cause and held-session answers by node', () => {
    const series = new SecondSeries();
    series.dropped(0, 'cap');
    series.dropped(0, 'latency');
    series.dropped(0, 'latency');
    series.heldAnswer(0, 'node-1', true);
    series.heldAnswer(0, 'node-2', false);
    series.heldAnswer(0, 'node-1', true);
    const point = series.take(0);
    assert.equal(point.dropped, 3);
    assert.deepEqual(point.droppedBy, { cap: 1, generator: 0, latency: 2 });
    assert.deepEqual([point.pinnedServed, point.pinnedTotal], [2, 3]);
    assert.deepEqual(point.heldAnswersByNode, {
      'node-1': { answers: 2, home: 2 },
      'node-2': { answers: 1, home: 0 },
    });
    const totals = new RunTotals();
    totals.add(point);
    totals.add(series.take(1));
    const built = totals.build(0, 1000, { sent: 0, received: 0 });
    assert.deepEqual(built.droppedBy, { cap: 1, generator: 0, latency: 2 });
    assert.deepEqual(built.heldAnswersByNode, point.heldAnswersByNode);
  });

  it('blames each error on the node that caused it, and each lost session on its last node', () => {
    const series = new SecondSeries();
    series.request(0, { latencyMs: 1, errorKind: '503', servedBy: 'node-1', errorNode: 'node-1' });
    series.request(0, {
      latencyMs: 1,
      errorKind: '502',
      servedBy: 'balancer',
      errorNode: 'node-2',
    });
    series.request(0, { latencyMs: 2, errorKind: 'reset', servedBy: undefined });
    series.sessionLost(0, 'node-2');
    series.sessionLost(0, 'node-2');
    const point = series.take(0);
    assert.deepEqual(point.errorsByNode, { 'node-1': 1, 'node-2': 1, none: 1 });
    assert.deepEqual(point.sessionsLostByNode, { 'node-2': 2 });
    assert.equal(point.sessionsLost, 2);
  });

  it('reads the node behind an error from X-Served-By, else the last node the balancer tried', () => {
    assert.equal(errorNode('node-3', undefined), 'node-3');
    assert.equal(errorNode('balancer', 'node-1,node-2'), 'node-2');
    assert.equal(errorNode('balancer', undefined), 'none');
    assert.equal(errorNode('none', ''), 'none');
  });

  it('a second without requests has null percentiles and zero counters; taken once', () => {
    const series = new SecondSeries();
    series.count(2, 'sessionsLost');
    series.count(2, 'lostUpdates', 4);
    assert.equal(series.has(2), true);
    const point = series.take(2);
    assert.deepEqual([point.p50Ms, point.p95Ms, point.p99Ms], [null, null, null]);
    assert.equal(point.sessionsLost, 1);
    assert.equal(point.lostUpdates, 4);
    assert.equal(point.staleReads, 0);
    assert.equal(series.has(2), false);
    assert.equal(series.take(2).lostUpdates, 0);
  });

  it('totals are the sum of the points, with percentiles over every request', () => {
    const series = new SecondSeries();
    const totals = new RunTotals();
    for (let i = 1; i <= 10; i += 1) {
      series.request(0, ok(i));
      totals.request(ok(i));
    }
    const reset = { latencyMs: 30, errorKind: 'reset', servedBy: undefined };
    series.request(1, reset);
    totals.request(reset, 'ECONNRESET');
    series.count(1, 'journeysStarted', 3);
    series.count(0, 'journeysStarted', 2);
    totals.add(series.take(0));
    totals.add(series.take(1));
    totals.lags.record(7);
    const built = totals.build(1000, 2000.4, { sent: 10, received: 20 });
    assert.equal(built.requests, 11);
    assert.equal(built.errors, 1);
    assert.deepEqual(built.errorsByKind, { reset: 1 });
    assert.deepEqual(built.networkErrorCodes, { ECONNRESET: 1 });
    assert.equal(built.failedRate, 0.0909);
    assert.equal(built.journeysStarted, 5);
    const { latencyMs, successLatencyMs } = built;
    near([latencyMs.p50, latencyMs.p95, latencyMs.p99], [6, 30, 30]);
    assert.equal(latencyMs.max, 30, 'the max is exact');
    near([successLatencyMs?.p50, successLatencyMs?.p95, successLatencyMs?.p99], [5, 10, 10]);
    assert.equal(successLatencyMs?.max, 10);
    assert.deepEqual([built.bytesSent, built.bytesReceived], [10, 20]);
    assert.equal(built.elapsedMs, 2000);
    assert.equal(built.schedulingLagP99Ms, 7);
    assert.deepEqual([built.pinnedServed, built.pinnedTotal], [0, 0]);
  });

  it('sums pinned answers into the totals; times every request per route, failed ones apart', () => {
    const series = new SecondSeries();
    const totals = new RunTotals();
    series.count(0, 'pinnedTotal', 3);
    series.count(0, 'pinnedServed', 2);
    series.count(1, 'pinnedTotal', 1);
    const first = series.take(0);
    assert.deepEqual([first.pinnedServed, first.pinnedTotal], [2, 3]);
    totals.add(first);
    totals.add(series.take(1));
    for (let i = 1; i <= 100; i += 1) totals.request({ ...ok(i), route: 'me' });
    totals.request({ latencyMs: 2000, errorKind: 'timeout', servedBy: undefined, route: 'me' });
    totals.request({ ...ok(40), route: 'refresh' });
    totals.request({ ...ok(7), route: undefined });
    const built = totals.build(0, 1000, { sent: 0, received: 0 });
    assert.deepEqual([built.pinnedServed, built.pinnedTotal], [2, 4]);
    const me = built.latencyByRoute?.me;
    assert.deepEqual([me?.count, me?.failed], [101, 1]);
    near([me?.p50, me?.p99, me?.successP50, me?.successP99], [51, 100, 50, 99]);
    assert.deepEqual(built.latencyByRoute?.refresh, {
      count: 1,
      failed: 0,
      p50: 40,
      p99: 40,
      successP50: 40,
      successP99: 40,
    });
    assert.deepEqual(built.latencyByRoute?.logout, {
      count: 0,
      failed: 0,
      p50: null,
      p99: null,
      successP50: null,
      successP99: null,
    });
    assert.equal(built.latencyMs.max, 2000, 'the totals see every request, the timeout too');
    assert.equal(built.successLatencyMs?.max, 100);
  });
});
