// report.md of the fixture, compared with the stored snapshot. After a
// deliberate change to the report, update the snapshot and review its diff:
//   UPDATE_SNAPSHOTS=1 npx mocha test/unit/report/markdown.test.ts
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { judgeClaims } from '../../../report/claims.ts';
import { renderMarkdown } from '../../../report/markdown.ts';
import { fixtureSummary, loseUpdates, strategyOf } from './fixture.ts';

const SNAPSHOT = fileURLToPath(new URL('./__snapshots__/report.md', import.meta.url));

/** The comparison table of report.md: its header cells and, per strategy, its cells (bold marks removed). */
function comparisonCells(markdown: string): { head: string[]; rows: Map<string, string[]> } {
  const section = markdown.split('## Comparison\n')[1]?.split('\n## ')[0] ?? '';
  const lines = section.split('\n').filter((line) => line.startsWith('|'));
  const cells = (line: string) =>
    line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim().replace(/^\*\*(.*)\*\*$/, '$1'));
  const [head = [], , ...body] = lines.map(cells);
  return { head, rows: new Map(body.map((row) => [row[0] ?? '', row])) };
}

describe('report.md', () => {
  it('matches the stored snapshot', async () => {
    const markdown = renderMarkdown(fixtureSummary());
    if (process.env.UPDATE_SNAPSHOTS === '1') await writeFile(SNAPSHOT, markdown);
    const expected = await readFile(SNAPSHOT, 'utf8').catch(() => {
      throw new Error(`no snapshot at ${SNAPSHOT}: run with UPDATE_SNAPSHOTS=1 to write it`);
    });
    assert.equal(
      markdown,
      expected,
      'report.md changed: if on purpose, run with UPDATE_SNAPSHOTS=1',
    );
  });

  it('has one comparison row per strategy, one row per claim, and every warning', () => {
    const run = fixtureSummary();
    const markdown = renderMarkdown(run);
    assert.ok(markdown.includes(run.scenario));
    assert.ok(markdown.includes(run.load.generator), 'names the load generator');
    for (const strategy of run.strategies) {
      assert.match(markdown, new RegExp(`^\\| ${strategy.strategy} +\\|`, 'm'));
    }
    for (const claim of judgeClaims(run)) {
      assert.match(
        markdown,
        new RegExp(`^\\| ${claim.id} .*\\| (\\*\\*)?${claim.verdict}[* (]`, 'm'),
      );
    }
    for (const warning of [...run.warnings, ...run.strategies.flatMap((s) => s.warnings)]) {
      assert.ok(markdown.includes(`- ${warning}`), `lists warning "${warning}"`);
    }
  });

  it('keeps a strategy name from breaking the tables', () => {
    const run = fixtureSummary();
    run.strategies[0]!.strategy = 'a|b<i>';
    const markdown = renderMarkdown(run);
    assert.match(markdown, /^\| a\\\|b&lt;i&gt; +\|/m);
  });

  it("shows every strategy's sessions lost, stale reads and lost updates in the comparison", () => {
    const run = fixtureSummary();
    const redis = strategyOf(run, 'redis');
    loseUpdates(redis, 565);
    const { head, rows } = comparisonCells(renderMarkdown(run));
    const column = head.findIndex((label) => label.includes('lost updates'));
    assert.ok(column > 0, `a column names lost updates: ${head.join(' | ')}`);
    const order = head[column]!.split(' · ');
    for (const strategy of run.strategies) {
      const shown = rows.get(strategy.strategy)?.[column]?.split(' · ') ?? [];
      const { sessionsLost, staleReads, lostUpdates } = strategy.totals;
      assert.equal(shown[order.indexOf('lost updates')], String(lostUpdates), strategy.strategy);
      assert.equal(shown[order.indexOf('stale reads')], String(staleReads), strategy.strategy);
      assert.equal(shown[order.indexOf('sessions lost')], String(sessionsLost), strategy.strategy);
    }
    assert.equal(redis.totals.lostUpdates, 565);
  });

  it('notes doubled updates and 409 conflicts only where there were any', () => {
    const run = fixtureSummary();
    assert.doesNotMatch(renderMarkdown(run), /doubled|conflicts \(409\)/);
    const cookie = strategyOf(run, 'cookie');
    cookie.totals.doubledUpdates = 3;
    cookie.totals.conflicts = 14;
    assert.match(
      renderMarkdown(run),
      /^- sessions lost · stale reads · lost updates: cookie \(3 doubled updates, 14 conflicts \(409\)\)$/m,
    );
  });
});
