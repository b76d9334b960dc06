import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  COMPARE_NOISE,
  compareRuns,
  compareSummaries,
  judgeChange,
} from '../../../report/compare.ts';
import { FIGURES } from '../../../report/figures.ts';
import {
  cloneAs,
  fixtureCopy,
  fixtureSummary,
  loseSessions,
  loseUpdates,
  setHeld,
  strategyOf,
} from './fixture.ts';

/** The cells of a Markdown table row, trimmed. */
function cells(line: string): string[] {
  return line
    .split(/(?<!\\)\|/)
    .slice(1, -1)
    .map((cell) => cell.trim());
}

/** The cells of the row of figure `label` in the section of `strategy`: figure, better, A, B, change, mark. */
function figureRow(markdown: string, strategy: string, label: string): string[] {
  const section = markdown.split(`## ${strategy}\n`)[1]?.split('\n## ')[0] ?? '';
  const row = section
    .split('\n')
    .map(cells)
    .find((row) => row[0] === label);
  assert.ok(row, `no row "${label}" under ${strategy}`);
  return row;
}

describe('lab compare', () => {
  it('judges a change against the noise band and the good direction', () => {
    assert.equal(judgeChange(10, 20, 'lower').change, 'worse');
    assert.equal(judgeChange(10, 20, 'higher').change, 'better');
    assert.equal(judgeChange(10, 10 * (1 + COMPARE_NOISE / 2), 'lower').change, 'same');
    assert.equal(judgeChange(0, 3, 'lower').change, 'worse');
    assert.equal(judgeChange(null, 3, 'lower').change, 'n/a');
  });

  it('marks a worse and a better figure, and says which way is better', () => {
    const a = fixtureSummary();
    const b = fixtureSummary();
    const name = a.strategies[0]!.strategy;
    const p99 = b.strategies[0]!.totals.latencyMs;
    p99.p99 = p99.p99! * 2;
    b.strategies[0]!.throughput = a.strategies[0]!.throughput * 1.5;
    const markdown = compareSummaries(a, b, { a: 'runs/a', b: 'runs/b' });
    const label = (key: string) => FIGURES.find((figure) => figure.key === key)!.label;
    const p99Row = figureRow(markdown, name, label('p99'));
    assert.deepEqual([p99Row[1], p99Row[4], p99Row[5]], ['lower', '+100%', '**worse**']);
    const rateRow = figureRow(markdown, name, label('throughput'));
    assert.deepEqual([rateRow[1], rateRow[4], rateRow[5]], ['higher', '+50%', '**better**']);
    const p50Row = figureRow(markdown, name, label('p50'));
    assert.deepEqual([p50Row[4], p50Row[5]], ['0%', '≈']);
  });

  it('compares each consistency counter on its own and flags a change in one', () => {
    const a = fixtureSummary();
    const b = fixtureSummary();
    const name = strategyOf(b, 'redis').strategy;
    loseUpdates(strategyOf(b, 'redis'), 565);
    strategyOf(b, 'redis').totals.conflicts = 9;
    const markdown = compareSummaries(a, b, { a: 'A', b: 'B' });
    const lost = figureRow(markdown, name, 'lost updates (at least)');
    assert.deepEqual(lost.slice(1), ['lower', '0', '565', 'from 0', '**worse**']);
    assert.deepEqual(figureRow(markdown, name, 'stale reads').slice(2), ['0', '0', '0%', '≈']);
    assert.deepEqual(figureRow(markdown, name, 'conflicts (409)').slice(2, 4), ['0', '9']);
    // Doubled updates were 0 in both runs: no row.
    assert.doesNotMatch(markdown, /doubled updates/);
    const back = compareSummaries(b, a, { a: 'B', b: 'A' });
    assert.deepEqual(figureRow(back, name, 'lost updates (at least)').slice(4), [
      '-100%',
      '**better**',
    ]);
  });

  it('lists strategies present in one run only and claims whose verdict changed', () => {
    const a = fixtureSummary();
    const b = fixtureSummary();
    cloneAs(b, 'cookie', 'jwt');
    // Every answer from its home node in both runs; in B sessions lost outside every chaos window: C5 no longer holds.
    const allHome = () => ({
      'node-1': { answers: 50, home: 50 },
      'node-3': { answers: 30, home: 30 },
    });
    setHeld(strategyOf(a, 'sticky'), allHome);
    setHeld(strategyOf(b, 'sticky'), allHome);
    loseSessions(strategyOf(b, 'sticky'), 'node-1', 7);
    const markdown = compareSummaries(a, b, { a: 'A', b: 'B' });
    assert.match(markdown, /Only in run B: jwt\./);
    assert.doesNotMatch(markdown, /## jwt/);
    const c5 = markdown
      .split('\n')
      .map(cells)
      .find((row) => row[0]?.startsWith('C5 '));
    assert.ok(c5, 'C5 is listed as changed');
    assert.match(c5[1]!, /^holds: /);
    assert.match(c5[2]!, /^does not hold: /);
  });

  it('says when no claim changed, and warns when the runs differ in load', () => {
    const a = fixtureSummary();
    const b = fixtureSummary();
    b.load.rate = a.load.rate * 2;
    const markdown = compareSummaries(a, b, { a: 'A', b: 'B' });
    assert.match(markdown, /No claim changed its verdict\./);
    assert.match(markdown, /\*\*Caution:\*\* different load/);
  });

  it('reads two run folders', async () => {
    const dirA = await fixtureCopy();
    const dirB = await fixtureCopy();
    try {
      const b = fixtureSummary();
      b.strategies = b.strategies.slice(1);
      await writeFile(path.join(dirB, 'summary.json'), JSON.stringify(b));
      const markdown = await compareRuns(dirA, dirB);
      assert.match(
        markdown,
        new RegExp(`Only in run A: ${fixtureSummary().strategies[0]!.strategy}\\.`),
      );
    } finally {
      await rm(dirA, { recursive: true, force: true });
      await rm(dirB, { recursive: true, force: true });
    }
  });
});
