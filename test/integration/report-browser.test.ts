// Opens the rendered report in the machine's Chromium (Debian package, found
// by `lab setup`; never a browser downloaded by Playwright) and checks what
// a reader sees: every chart drawn with its event markers, no error, no
// request beyond the file itself.
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { findChromium } from '../../lab/tools/chromium.ts';
import { renderRun } from '../../report/render.ts';
import { cloneAs, fixtureCopy, fixtureSummary } from '../unit/report/fixture.ts';

/** The little of the DOM the check reads (the project compiles without the DOM library). */
interface ChartNode {
  id: string;
  querySelector(selector: string): {
    width?: number;
    height?: number;
    getAttribute(name: string): string | null;
  } | null;
  querySelectorAll(selector: string): { length: number };
}

/** A table and the box that would scroll it. */
interface WideNode {
  querySelectorAll(selector: string): { length: number };
  parentElement: { scrollWidth: number; clientWidth: number };
}

/** The longest "where" the memory probe writes (Hazelcast, clustered strategies). */
const LONG_WHERE = "Hazelcast members' live heap after full GC, summed over 3 members";

interface DrawnChart {
  id: string;
  canvases: number;
  width: number;
  height: number;
  markers: number | null;
}

describe('report.html in Chromium', () => {
  let browser: Browser | undefined;
  let dir: string;
  let shots: string;

  before(async () => {
    const found = await findChromium();
    if (!found) {
      throw new Error('Chromium is not installed: run `npx lab setup` (Debian package chromium)');
    }
    dir = await fixtureCopy();
    shots = await mkdtemp(path.join(os.tmpdir(), 'report-shot-'));
    browser = await chromium.launch({
      executablePath: found.path,
      headless: true,
      // Chromium refuses its sandbox as root (CI containers).
      args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
      timeout: 30000,
    });
  });

  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    if (shots) await rm(shots, { recursive: true, force: true });
  });

  it('draws every chart with its markers, without errors or requests, and screenshots', async () => {
    const { htmlPath } = await renderRun(dir);
    const url = pathToFileURL(htmlPath).href;
    const page = await browser!.newPage({ viewport: { width: 1366, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        problems.push(`console ${message.type()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('request', (request) => requests.push(request.url()));

    await page.goto(url, { waitUntil: 'load' });
    const charts = await page.$$eval('[data-chart]', (containers: ChartNode[]): DrawnChart[] =>
      containers.map((container) => {
        const canvas = container.querySelector('canvas');
        const markers = container.querySelector('.uplot')?.getAttribute('data-markers-drawn');
        return {
          id: container.id,
          canvases: container.querySelectorAll('canvas').length,
          width: canvas?.width ?? 0,
          height: canvas?.height ?? 0,
          markers: markers === null || markers === undefined ? null : Number(markers),
        };
      }),
    );

    const run = fixtureSummary();
    // Five client charts per strategy, and CPU and memory where processes were sampled.
    const expected = run.strategies.reduce(
      (sum, s) => sum + 5 + (s.processes.length > 0 ? 2 : 0),
      0,
    );
    assert.equal(charts.length, expected, 'one container per chart');
    run.strategies.forEach((strategy, index) => {
      const own = charts.filter((chart) => chart.id.startsWith(`s${index}-`));
      for (const chart of own) {
        assert.equal(chart.canvases, 1, `${chart.id} has its canvas`);
        assert.ok(
          chart.width > 0 && chart.height > 0,
          `${chart.id} canvas is ${chart.width}x${chart.height}`,
        );
        assert.equal(
          chart.markers,
          strategy.events.length,
          `${chart.id} marks every event of ${strategy.strategy}`,
        );
      }
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(requests, [url], 'the page fetches nothing but itself');

    const shot = path.join(shots, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok((await stat(shot)).size > 10_000, 'the screenshot holds a picture');
    await page.close();
  });

  it('fits a 1366 px wide screen without scrolling sideways, with every strategy of a full run', async () => {
    // The fixture's three strategies, and copies under the other names a
    // `compare` run has, with the longest memory notes the probes write.
    const run = fixtureSummary();
    const copies: [string, string, string][] = [
      ['redis', 'redis:lww', 'redis used_memory'],
      ['cookie', 'jwt', 'redis used_memory (refresh-token families)'],
      ['redis', 'clustered:replicated', LONG_WHERE],
      ['redis', 'clustered:partitioned', LONG_WHERE],
    ];
    for (const [from, name, where] of copies) {
      cloneAs(run, from, name).probes.memoryPerThousandSessions = {
        kib: 2961,
        where,
        sessions: 1000,
      };
    }
    // The widest consistency cell: every counter in the thousands, with its note.
    Object.assign(run.strategies.at(-1)!.totals, {
      sessionsLost: 1234,
      staleReads: 1234,
      lostUpdates: 12345,
      doubledUpdates: 1234,
      conflicts: 12345,
    });
    // Latency per route, in the thousands, under every strategy.
    for (const strategy of run.strategies) {
      strategy.totals.latencyByRoute = Object.fromEntries(
        ['login', 'me', 'cart', 'add-item', 'refresh', 'logout'].map((route) => [
          route,
          { count: 123456, p50: 1234.5, p99: 12345.6 },
        ]),
      );
    }
    await writeFile(path.join(dir, 'summary.json'), JSON.stringify(run));
    const { htmlPath } = await renderRun(dir);
    const page = await browser!.newPage({ viewport: { width: 1366, height: 900 } });
    await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
    const width = await page.evaluate<{ scroll: number; client: number }>(
      '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })',
    );
    assert.ok(
      width.scroll <= width.client,
      `the page is ${width.scroll} px wide in ${width.client}`,
    );
    const table = await page.$eval('table.comparison', (node: WideNode) => ({
      rows: node.querySelectorAll('tbody tr').length,
      scroll: node.parentElement.scrollWidth,
      client: node.parentElement.clientWidth,
    }));
    assert.equal(table.rows, run.strategies.length);
    assert.ok(
      table.scroll <= table.client,
      `the comparison is ${table.scroll} px wide in ${table.client}`,
    );
    const routeTables = await page.evaluate<number>(
      "[...document.querySelectorAll('h4')].filter((h) => h.textContent === 'Latency per route').length",
    );
    assert.equal(routeTables, run.strategies.length, 'a latency table per strategy');
    await page.close();
  });
});
