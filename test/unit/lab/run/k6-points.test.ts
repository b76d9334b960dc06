import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from '../../../../lab/paths.ts';
import { seriesFromK6Points } from '../../../../lab/run/k6-points.ts';

// t = 0: the lab started k6 at 16:00:00.000 UTC (17:00 at the samples' +01:00).
const STARTED = Date.parse('2026-12-04T16:00:00.000Z');

async function lines(): Promise<string[]> {
  const file = path.join(ROOT, 'test', 'fixtures', 'k6', 'points.ndjson');
  return (await readFile(file, 'utf8')).split('\n');
}

describe('lab/run/k6-points: k6 JSON output -> the per-second series', () => {
  it('counts each sample in its second on the lab’s clock, k6’s own metrics aside', async () => {
    const series = await seriesFromK6Points(await lines(), STARTED);
    assert.deepEqual(
      series.map((point) => point.t),
      [0, 1, 2],
      'second 1 had nothing, and is there as such',
    );
    const [first, quiet, second] = series;
    assert.equal(first!.requests, 2);
    assert.equal(first!.errors, 0);
    assert.deepEqual(first!.servedBy, { 'node-1': 2 });
    assert.equal(first!.journeysStarted, 1);
    assert.equal(first!.pinnedServed, 1);
    assert.equal(first!.pinnedTotal, 1);
    assert.equal(quiet!.requests, 0);
    assert.equal(second!.requests, 3);
    assert.equal(second!.errors, 3);
    assert.deepEqual(second!.errorsByKind, { '401': 1, '502': 1, timeout: 1 });
    assert.deepEqual(second!.errorsByNode, { 'node-2': 1, 'node-1': 1, none: 1 });
    assert.deepEqual(second!.servedBy, { 'node-2': 1, balancer: 1 });
    assert.equal(second!.p99Ms, 5000, 'a timeout is timed at its full wait');
    assert.equal(second!.sessionsLost, 1);
    assert.deepEqual(second!.sessionsLostByNode, { 'node-1': 1 });
    assert.deepEqual(second!.heldAnswersByNode, { 'node-2': { answers: 1, home: 0 } });
    assert.equal(second!.uncertainWrites, 1);
    assert.equal(second!.relogins, 1);
    assert.equal(second!.staleReads, 0);
    assert.equal(second!.dropped, 2);
    assert.equal(second!.droppedBy, undefined, 'k6 gives no cause: none is made up');
    assert.equal(second!.journeysCompleted, 1);
  });

  it('no sample, no series', async () => {
    assert.deepEqual(await seriesFromK6Points(['', 'not json'], STARTED), []);
  });
});
