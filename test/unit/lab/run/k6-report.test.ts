import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../../../lab/paths.ts';
import { parseK6Summary, totalsFromK6 } from '../../../../lab/run/k6-summary.ts';
import { parseScenario } from '../../../../lab/run/scenario.ts';
import { summarizeStrategy } from '../../../../lab/run/summarize-strategy.ts';
import type { RunSummary } from '../../../../report/summary-schema.ts';
import { renderRun } from '../../../../report/render.ts';
import { runnerSettings } from './k6-helpers.ts';

const GENERATOR = "k6 v1.4.2 running the lab's k6/shop.ts";

describe('a k6 run in the reports', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lab-k6-report-'));
    await cp(path.join(ROOT, 'test', 'fixtures', 'run-small'), dir, { recursive: true });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('its totals make a summary.json the reports read, marked as k6’s load', async () => {
    const file = path.join(ROOT, 'test', 'fixtures', 'k6', 'handle-summary.json');
    const k6 = parseK6Summary(JSON.parse(await readFile(file, 'utf8')) as unknown, file);
    const { totals } = totalsFromK6(k6, {
      startedAtMs: Date.now(),
      wallMs: 21_000,
      settings: runnerSettings(),
    });
    const summaryFile = path.join(dir, 'summary.json');
    const run = JSON.parse(await readFile(summaryFile, 'utf8')) as RunSummary;
    const scenario = parseScenario(
      { name: 'k6-shop', strategies: ['sticky'], thresholds: { staleReads: 0 } },
      'k6-shop.json',
    );
    // No per-second series from k6: the timeline is empty, the totals whole.
    const strategy = summarizeStrategy({
      strategy: 'sticky',
      scenario,
      totals,
      series: [],
      processes: run.strategies[0]!.processes,
      events: [],
      probes: {},
      loadgenExitCode: 99,
    });
    assert.deepEqual(strategy.thresholds, [{ name: 'staleReads', limit: 0, value: 2, ok: false }]);
    const k6Run: RunSummary = {
      ...run,
      tools: { ...run.tools, k6: 'v1.4.2', 'load generator': GENERATOR },
      load: { ...run.load, generator: GENERATOR },
      strategies: [strategy],
    };
    await writeFile(summaryFile, JSON.stringify(k6Run, null, 2));
    const { mdPath, htmlPath } = await renderRun(dir);
    const md = await readFile(mdPath, 'utf8');
    assert.ok(md.includes(`load: ${GENERATOR}`), md.slice(0, 400));
    assert.ok(md.includes(`The load came from ${GENERATOR}.`));
    const html = await readFile(htmlPath, 'utf8');
    assert.ok(html.includes('k6 v1.4.2 running the lab'));
  });
});
