import assert from 'node:assert/strict';
import { RunTotals } from '../../../loadgen/run-totals.ts';
import { SecondSeries } from '../../../loadgen/second-series.ts';
import { errorNode } from '../../../loadgen/virtual-user.ts';

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
    assert.equal(first.p50Ms, 50);
    assert.equal(first.p95Ms, 95);
    assert.equal(first.p99Ms, 99);
    assert.deepEqual(first.servedBy, { 'node-1': 100 });
    const second = series.take(1);
    assert.deepEqual([second.requests, second.p50Ms, second.p99Ms], [1, 500, 500]);
    assert.deepEqual(second.servedBy, { 'node-2': 1 });
  });

  it('errors by kind; no latency and no node for a request that got no answer', () => {
    const series = new SecondSeries();
    series.request(0, { latencyMs: 3, errorKind: '503', servedBy: 'none' });
    series.request(0, { latencyMs: undefined, errorKind: 'timeout', servedBy: undefined });
    series.request(0, { latencyMs: undefined, errorKind: 'timeout', servedBy: undefined });
    series.request(0, ok(1));
    const point = series.take(0);
    assert.equal(point.requests, 4);
    assert.equal(point.errors, 3);
    assert.deepEqual(point.errorsByKind, { '503': 1, timeout: 2 });
    assert.deepEqual(point.servedBy, { none: 1, 'node-1': 1 });
    assert.equal(point.p99Ms, 3);
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
    series.request(0, { latencyMs: undefined, errorKind: 'ECONNRESET', servedBy: undefined });
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
      totals.latencies.push(i);
    }
    series.request(1, { latencyMs: undefined, errorKind: 'ECONNRESET', servedBy: undefined });
    series.count(1, 'journeysStarted', 3);
    series.count(0, 'journeysStarted', 2);
    totals.add(series.take(0));
    totals.add(series.take(1));
    totals.lags.push(7);
    const built = totals.build(1000, 2000.4, { sent: 10, received: 20 });
    assert.equal(built.requests, 11);
    assert.equal(built.errors, 1);
    assert.deepEqual(built.errorsByKind, { ECONNRESET: 1 });
    assert.equal(built.journeysStarted, 5);
    assert.deepEqual(built.latencyMs, { p50: 5, p95: 10, p99: 10, max: 10 });
    assert.deepEqual([built.bytesSent, built.bytesReceived], [10, 20]);
    assert.equal(built.elapsedMs, 2000);
    assert.equal(built.schedulingLagP99Ms, 7);
    assert.deepEqual([built.pinnedServed, built.pinnedTotal], [0, 0]);
  });

  it('sums pinned answers into the totals; times answered requests per route', () => {
    const series = new SecondSeries();
    const totals = new RunTotals();
    series.count(0, 'pinnedTotal', 3);
    series.count(0, 'pinnedServed', 2);
    series.count(1, 'pinnedTotal', 1);
    const first = series.take(0);
    assert.deepEqual([first.pinnedServed, first.pinnedTotal], [2, 3]);
    totals.add(first);
    totals.add(series.take(1));
    for (let i = 1; i <= 100; i += 1) totals.answered(i, 'me');
    totals.answered(40, 'refresh');
    totals.answered(7, undefined);
    const built = totals.build(0, 1000, { sent: 0, received: 0 });
    assert.deepEqual([built.pinnedServed, built.pinnedTotal], [2, 4]);
    assert.deepEqual(built.latencyByRoute?.me, { count: 100, p50: 50, p99: 99 });
    assert.deepEqual(built.latencyByRoute?.refresh, { count: 1, p50: 40, p99: 40 });
    assert.deepEqual(built.latencyByRoute?.logout, { count: 0, p50: null, p99: null });
    assert.equal(built.latencyMs.max, 100, 'the totals see every answered request');
  });
});
