// report.md of the fixture, compared with the stored snapshot. After a
// deliberate change to the report, update the snapshot and review its diff:
//   UPDATE_SNAPSHOTS=1 npx mocha test/unit/report/markdown.test.ts
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { judgeClaims } from '../../../report/claims.ts';
import { renderMarkdown } from '../../../report/markdown.ts';
import { fixtureSummary } from './fixture.ts';

const SNAPSHOT = fileURLToPath(new URL('./__snapshots__/report.md', import.meta.url));

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
});
