import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { runnerSettings } from './k6-helpers.ts';
import { ROOT } from '../../../../lab/paths.ts';
import {
  K6_METRIC_FIELDS,
  parseK6Summary,
  totalsFromK6,
  type K6Summary,
} from '../../../../lab/run/k6-summary.ts';

const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'k6');

async function fixture(name: string): Promise<K6Summary> {
  const file = path.join(FIXTURES, name);
  return parseK6Summary(JSON.parse(await readFile(file, 'utf8')) as unknown, file);
}

const FACTS = { startedAtMs: 1_700_000_000_000, wallMs: 21_000, settings: runnerSettings() };

describe('lab/run/k6-summary: k6 summary -> LoadTotals', () => {
  it('reads the handleSummary data into the lab figures', async () => {
    const summary = await fixture('handle-summary.json');
    assert.equal(summary.format, 'handleSummary');
    const { totals } = totalsFromK6(summary, FACTS);
    assert.equal(totals.elapsedMs, 20450, 'k6’s own test duration, not the lab’s wall time');
    assert.equal(totals.requests, 400);
    assert.equal(totals.errors, 20);
    assert.equal(totals.failedRate, 0.05);
    // 18 under kinds with a submetric; the 2 left are counted, under `other`.
    assert.deepEqual(totals.errorsByKind, { '401': 12, '503': 5, timeout: 1, other: 2 });
    assert.deepEqual(totals.latencyMs, { p50: 2.4, p95: 7.68, p99: 9.6, max: 14.4 });
    assert.equal(totals.successLatencyMs?.p99, 9.1);
    assert.deepEqual(totals.servedBy, { 'node-1': 200, 'node-2': 190, balancer: 9 });
    assert.deepEqual(totals.errorsByNode, { 'node-1': 8, 'node-2': 9, none: 3 });
    assert.deepEqual(totals.sessionsLostByNode, { 'node-1': 12 });
    assert.equal(totals.sessionsLost, 12);
    assert.equal(totals.relogins, 11);
    assert.equal(totals.staleReads, 2);
    assert.equal(totals.lostUpdates, 1);
    assert.equal(totals.lostUpdatesLowerBound, 3);
    assert.equal(totals.uncertainRounds, 1);
    assert.equal(totals.dropped, 3);
    assert.equal(totals.journeysStarted, 50);
    assert.equal(totals.journeysCompleted, 45);
    assert.equal(totals.sessionsStarted, 60);
    assert.equal(totals.pinnedServed, 270);
    assert.equal(totals.pinnedTotal, 300);
    assert.equal(totals.bytesSent, 52000);
    assert.equal(totals.bytesReceived, 181000);
    assert.equal(totals.schedulingLagP99Ms, 3.2);
    assert.deepEqual(totals.latencyByRoute?.me, {
      count: 130,
      failed: 8,
      p50: 2,
      p99: 6.5,
      successP50: 2,
      successP99: 5.85,
    });
    assert.deepEqual(totals.latencyByRoute?.refresh, {
      count: 0,
      failed: 0,
      p50: null,
      p99: null,
      successP50: null,
      successP99: null,
    });
    assert.equal(totals.settings, FACTS.settings);
  });

  it('makes the same totals of the --summary-export file (flat statistics, inverted thresholds)', async () => {
    const summary = await fixture('summary-export.json');
    assert.equal(summary.format, 'summary-export');
    const exported = totalsFromK6(summary, FACTS);
    const handled = totalsFromK6(await fixture('handle-summary.json'), FACTS);
    // The export has no test duration: the lab's wall time stands in.
    assert.equal(exported.totals.elapsedMs, 21_000);
    assert.deepEqual({ ...exported.totals, elapsedMs: 0 }, { ...handled.totals, elapsedMs: 0 });
    assert.deepEqual(exported.notes, handled.notes);
  });

  it('says which thresholds k6 failed, in either format (export: true means failed)', async () => {
    for (const name of ['handle-summary.json', 'summary-export.json']) {
      const { notes } = totalsFromK6(await fixture(name), FACTS);
      assert.deepEqual(
        notes.filter((note) => note.startsWith('k6 threshold failed')).sort(),
        [
          'k6 threshold failed: dropped_iterations count<=0',
          'k6 threshold failed: lab_sessions_lost count<=5',
          'k6 threshold failed: lab_stale_reads count<=0',
        ],
        name,
      );
    }
  });

  it('a metric k6 left out counts 0 and is named in a note, never guessed', async () => {
    const summary = await fixture('handle-summary.json');
    summary.metrics.delete('lab_stale_reads');
    const { totals, notes } = totalsFromK6(summary, FACTS);
    assert.equal(totals.staleReads, 0);
    assert.ok(
      notes.some((note) => note.includes('no lab_stale_reads')),
      notes.join('\n'),
    );
  });

  it('refuses what is not a k6 summary, with LOADGEN_FAILED naming the file', () => {
    assert.throws(
      () => parseK6Summary({ hello: 1 }, '/x/s.json'),
      (error: Error & { code?: string }) =>
        error.code === 'LOADGEN_FAILED' && error.message.includes('/x/s.json'),
    );
    assert.throws(
      () => parseK6Summary({ metrics: { a: { type: 'counter' }, b: { values: {} } } }, 'f'),
      (error: Error & { code?: string }) => error.code === 'LOADGEN_FAILED',
    );
  });

  it('documents a summary.json field for every metric it reads', () => {
    for (const [metric, field] of Object.entries(K6_METRIC_FIELDS)) {
      assert.match(field, /^totals\./, metric);
    }
  });
});
