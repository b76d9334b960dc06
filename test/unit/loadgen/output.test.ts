import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { SeriesFile, writeTotals } from '../../../loadgen/output.ts';
import { Recorder } from '../../../loadgen/recorder.ts';
import { SecondSeries } from '../../../loadgen/second-series.ts';

describe('loadgen output files', () => {
  let dir = '';
  beforeEach(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'loadgen-out-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('the series file gets one JSON line per point, written at once, and is emptied first', async () => {
    const file = path.join(dir, 'series.ndjson');
    const series = new SecondSeries();
    const old = new SeriesFile(file);
    old.append(series.take(9));
    old.close();
    const out = new SeriesFile(file);
    const line = out.append(series.take(0));
    assert.equal(await readFile(file, 'utf8'), line, 'on disk before close');
    out.append(series.take(1));
    out.close();
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    assert.deepEqual(
      lines.map((text) => (JSON.parse(text) as { t: number }).t),
      [0, 1],
    );
  });

  it('totals are written whole, with no file left aside', async () => {
    const file = path.join(dir, 'totals.json');
    const totals = new Recorder().totals({ sent: 1, received: 2 });
    writeTotals(file, totals);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), totals);
    assert.deepEqual(await readdir(dir), ['totals.json']);
  });
});
