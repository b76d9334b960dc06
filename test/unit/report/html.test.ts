import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { chartLibrary } from '../../../report/html/assets.ts';
import { pageCharts, renderPage } from '../../../report/html/page.ts';
import { renderRun } from '../../../report/render.ts';
import { esc } from '../../../report/html/escape.ts';
import { num } from '../../../report/format.ts';
import { fixtureCopy, fixtureSummary, loseUpdates, strategyOf } from './fixture.ts';

const HOSTILE = '</script><script>alert(1)</script><img src=x onerror=alert(2)>';

/** The JSON data block of the page, parsed back. */
function dataBlock(html: string): { charts: { id: string; markers: { label: string }[] }[] } {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(match, 'the page carries its data in one JSON block');
  return JSON.parse(match[1]!) as ReturnType<typeof dataBlock>;
}

/** The comparison table of a page: header texts and, per strategy, each cell's first line (its note left out). */
function comparisonCells(html: string): { head: string[]; rows: Map<string, string[]> } {
  const tableHtml = /<table class="comparison">([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  const text = (cell: string) =>
    cell.replace(/<div class="note">[\s\S]*$/, '').replace(/<[^>]+>/g, '');
  const head = [...tableHtml.matchAll(/<th[^>]*>([\s\S]*?)<\/th>/g)].map((m) => text(m[1]!));
  const body = tableHtml.split('<tbody>')[1] ?? '';
  const rows = [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => text(m[1]!)),
  );
  return { head, rows: new Map(rows.map((row) => [row[0] ?? '', row])) };
}

describe('report.html', () => {
  let dir: string;
  let html: string;

  before(async () => {
    dir = await fixtureCopy();
    const { htmlPath, mdPath } = await renderRun(dir);
    assert.equal(htmlPath, path.join(dir, 'report.html'));
    assert.ok((await readFile(mdPath, 'utf8')).length > 0);
    html = await readFile(htmlPath, 'utf8');
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it('is self-contained: no external script, style, link, image or URL to fetch', () => {
    assert.doesNotMatch(html, /<script[^>]*\bsrc\s*=/i);
    assert.doesNotMatch(html, /<link\b/i);
    assert.doesNotMatch(html, /<(img|iframe|object|embed|audio|video|source)\b/i);
    assert.doesNotMatch(html, /\bsrc\s*=\s*["']?\s*(https?:)?\/\//i);
    assert.doesNotMatch(html, /url\(\s*["']?\s*(https?:)?\/\//i);
    assert.doesNotMatch(html, /@import/i);
    for (const [, href] of html.matchAll(/\bhref\s*=\s*"([^"]*)"/gi)) {
      assert.match(href!, /^#/, `link ${href} stays in the page`);
    }
    // An http(s) URL may appear only as text, never in an attribute.
    for (const match of html.matchAll(/https?:\/\//g)) {
      const before = html.slice(Math.max(0, match.index - 12), match.index);
      assert.doesNotMatch(before, /=\s*["']?$/, `URL used as an attribute: ${before}`);
    }
    assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
  });

  it('inlines uPlot and one chart per time series of every strategy', async () => {
    const library = await chartLibrary();
    assert.ok(html.includes(library.js), 'uPlot is inlined as shipped');
    const run = fixtureSummary();
    const perStrategy = run.strategies.map((s) => (s.processes.length > 0 ? 7 : 5));
    const charts = dataBlock(html).charts;
    assert.equal(
      charts.length,
      perStrategy.reduce((a, b) => a + b, 0),
    );
    for (const chart of charts) assert.ok(html.includes(`id="${chart.id}" data-chart`));
  });

  it('puts every event of a strategy on each of its charts', () => {
    const run = fixtureSummary();
    const charts = dataBlock(html).charts;
    run.strategies.forEach((strategy, index) => {
      const own = charts.filter((chart) => chart.id.startsWith(`s${index}-`));
      assert.ok(own.length > 0);
      for (const chart of own) {
        assert.deepEqual(
          chart.markers.map((marker) => marker.label),
          strategy.events.map((event) => `${event.action} ${event.target}`),
        );
      }
    });
  });

  it('states the comparison, the claims and how the run was made', () => {
    const run = fixtureSummary();
    for (const id of ['answer', 'claims', 'run']) assert.ok(html.includes(`<section id="${id}">`));
    for (const strategy of run.strategies) assert.ok(html.includes(`>${strategy.strategy}</a>`));
    for (let id = 1; id <= 14; id++) assert.ok(html.includes(`<b>C${id}</b>`));
    assert.ok(html.includes('not from k6'), 'says the load did not come from k6');
  });

  it('keeps comparison cells short, with where memory was measured as a smaller line', () => {
    const run = fixtureSummary();
    for (const strategy of run.strategies) {
      const probe = strategy.probes.memoryPerThousandSessions!;
      const where = /^none/.test(probe.where) ? 'nothing server-side' : probe.where;
      assert.ok(
        html.includes(`${num(probe.kib)} KiB<div class="note">${esc(where)}</div>`),
        `memory of ${strategy.strategy}`,
      );
    }
    assert.doesNotMatch(html, /in none server-side/);
  });

  it('shows lost updates in the comparison, and explains the consistency counters', async () => {
    const run = fixtureSummary();
    loseUpdates(strategyOf(run, 'redis'), 565);
    const copy = await fixtureCopy();
    try {
      await writeFile(path.join(copy, 'summary.json'), JSON.stringify(run));
      const page = await readFile((await renderRun(copy)).htmlPath, 'utf8');
      const { head, rows } = comparisonCells(page);
      const column = head.findIndex((label) => label.includes('lost updates'));
      assert.ok(column > 0, `a column names lost updates: ${head.join(' | ')}`);
      const order = head[column]!.split(' · ');
      for (const strategy of run.strategies) {
        const shown = rows.get(strategy.strategy)?.[column]?.split(' · ') ?? [];
        assert.equal(
          shown[order.indexOf('lost updates')],
          String(strategy.totals.lostUpdates),
          strategy.strategy,
        );
        assert.equal(shown[order.indexOf('sessions lost')], String(strategy.totals.sessionsLost));
      }
      const how = /How each figure is measured<\/summary>([\s\S]*?)<\/details>/.exec(page)?.[1];
      assert.ok(how, 'the page says how each figure is measured');
      assert.match(how, /Sessions lost: a 401 on a request sent while the journey held a session/);
      assert.match(how, /Stale reads: a cart version lower than one the session already saw/);
      assert.match(how, /Lost updates: an accepted write whose effect the cart no longer shows/);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  });

  it("splits each event's errors and lost sessions by node", () => {
    const sticky = strategyOf(fixtureSummary(), 'sticky');
    const kill = sticky.events.find((event) => event.action === 'kill')!;
    const lost = Object.entries(kill.sessionsLostByNode ?? {});
    assert.ok(lost.length > 0, 'the kill lost sessions in the fixture');
    const split = lost.map(([node, count]) => `${node} ${count}`).join(', ');
    assert.ok(html.includes(`${kill.sessionsLost}<div class="note">${split}</div>`), split);
  });

  it('shows latency per route where the summary has it, routes without an answer left out', async () => {
    const run = fixtureSummary();
    const none = { count: 0, p50: null, p99: null };
    const sticky = strategyOf(run, 'sticky');
    sticky.totals.latencyByRoute = {
      login: { count: 24, p50: 6.1, p99: 14 },
      me: { count: 1234, p50: 1.87, p99: 5.2 },
      cart: none,
      'add-item': none,
      refresh: { count: 18, p50: 3.42, p99: 9.75 },
      logout: none,
    };
    const page = renderPage(
      { dir: '/x', summary: run, scenario: undefined, events: undefined },
      await chartLibrary(),
    );
    const section = (name: string) =>
      new RegExp(
        `<section class="strategy" id="[^"]*">\\s*<h3>${name}</h3>[\\s\\S]*?</section>`,
      ).exec(page)?.[0] ?? '';
    const own = section('sticky');
    assert.match(own, /<h4>Latency per route<\/h4>/);
    const rows = [
      ...own.matchAll(/<tr><td>([\w-]+)<div class="note">([^<]+)<\/div><\/td>(.*?)<\/tr>/g),
    ].map((match) => [
      match[1],
      match[2],
      ...[...match[3]!.matchAll(/>([^<]*)<\/td>/g)].map((m) => m[1]),
    ]);
    assert.deepEqual(rows, [
      ['login', 'POST /login', '24', num(6.1), num(14)],
      ['me', 'GET /me', '1,234', num(1.87), num(5.2)],
      ['refresh', 'POST /auth/refresh', '18', num(3.42), num(9.75)],
    ]);
    assert.doesNotMatch(section('cookie'), /Latency per route/, 'not in a summary without it');
    assert.doesNotMatch(html, /Latency per route/, 'the fixture predates it');
  });

  it('marks a skipped event apart and lists a failed probe with its code', async () => {
    const run = fixtureSummary();
    const sticky = strategyOf(run, 'sticky');
    const event = sticky.events[0]!;
    event.status = 'skipped';
    sticky.probes.probeErrors = [
      { probe: 'cookieLimit', code: 'PROBE_BUDGET', message: 'no answer within 15000 ms' },
    ];
    const page = renderPage(
      { dir: '/x', summary: run, scenario: undefined, events: undefined },
      await chartLibrary(),
    );
    const markers = dataBlock(page).charts[0]!.markers;
    assert.equal(markers[0]!.label, `${event.action} ${event.target} (skipped)`);
    assert.ok(page.includes('<li>cookieLimit failed: PROBE_BUDGET no answer within 15000 ms</li>'));
    assert.ok(page.includes('scenario.json is not in the run folder'));
    assert.ok(page.includes('events.ndjson is not in the run folder'));
  });

  it('escapes names and messages, so no </script> in the data ends the script', async () => {
    const run = fixtureSummary();
    run.strategies[0]!.strategy = HOSTILE;
    run.strategies[0]!.events[0]!.target = HOSTILE;
    run.warnings.push(HOSTILE);
    const page = renderPage(
      { dir: '/x', summary: run, scenario: { name: HOSTILE }, events: [{ at: HOSTILE }] },
      await chartLibrary(),
    );
    assert.ok(!page.includes('<script>alert(1)'), 'no injected script element');
    assert.ok(!page.includes('<img src=x'), 'no injected image');
    assert.equal(
      page.match(/<script\b/g)?.length,
      3,
      'only the data block, uPlot and the chart script',
    );
    assert.equal(page.match(/<\/script>/g)?.length, 3);
    assert.ok(page.includes('&lt;/script&gt;&lt;script&gt;alert(1)'), 'shown as text');
    const labels = dataBlock(page).charts.flatMap((chart) =>
      chart.markers.map((marker) => marker.label),
    );
    assert.ok(
      labels.includes(`kill ${HOSTILE}`) || labels.some((label) => label.endsWith(HOSTILE)),
      'data round-trips unchanged',
    );
    assert.equal(pageCharts(run).length, dataBlock(page).charts.length);
  });
});
