import assert from 'node:assert/strict';
import { readFile, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ReportError } from '../../../report/errors.ts';
import { renderRun } from '../../../report/render.ts';
import { fixtureCopy, fixtureSummary, setHeld } from './fixture.ts';

/** Rejects with BAD_RUN_DIR and a message matching `pattern`. */
async function refuses(dir: string, pattern: RegExp): Promise<void> {
  await assert.rejects(renderRun(dir), (error: unknown) => {
    assert.ok(error instanceof ReportError, String(error));
    assert.equal(error.code, 'BAD_RUN_DIR');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('lab report: reading the run folder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fixtureCopy();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('refuses a folder that does not exist', async () => {
    await refuses(path.join(dir, 'nope'), /nope is not a folder/);
  });

  it('refuses a folder without summary.json, naming the file', async () => {
    await unlink(path.join(dir, 'summary.json'));
    await refuses(dir, /summary\.json is missing/);
  });

  it('refuses a summary that is not JSON', async () => {
    await writeFile(path.join(dir, 'summary.json'), '{"schemaVersion": 1,');
    await refuses(dir, /summary\.json is not JSON/);
  });

  it('names the first bad field', async () => {
    const run = fixtureSummary() as unknown as { strategies: Record<string, unknown>[] };
    delete run.strategies[1]!.timeline;
    await writeFile(path.join(dir, 'summary.json'), JSON.stringify(run));
    await refuses(dir, /summary\.json is not a run summary: strategies\[1\]\.timeline: /);
  });

  it('names a bad probe figure and a bad event status', async () => {
    const run = fixtureSummary() as unknown as {
      strategies: { probes: Record<string, unknown>; events: Record<string, unknown>[] }[];
    };
    run.strategies[2]!.probes.memoryPerThousandSessions = { kib: 'a lot', where: 'x', sessions: 1 };
    run.strategies[0]!.events[1]!.status = 'maybe';
    await writeFile(path.join(dir, 'summary.json'), JSON.stringify(run));
    await refuses(dir, /strategies\[0\]\.events\[1\]\.status: /);
    await refuses(dir, /strategies\[2\]\.probes\.memoryPerThousandSessions\.kib: /);
  });

  it("reads the answers from each session's node and the latency per route, and names a bad one", async () => {
    const run = fixtureSummary();
    const sticky = run.strategies[0]!;
    setHeld(sticky, () => ({
      'node-1': { answers: 6, home: 6 },
      'node-3': { answers: 4, home: 4 },
    }));
    sticky.totals.latencyByRoute = { me: { count: 4, p50: 1.5, p99: 3 } };
    await writeFile(path.join(dir, 'summary.json'), JSON.stringify(run));
    const { htmlPath } = await renderRun(dir);
    assert.match(
      await readFile(htmlPath, 'utf8'),
      /the node that answered the login gave 100% of the answers to its held sessions/,
    );
    const loose = run as unknown as {
      strategies: { totals: Record<string, unknown>; timeline: Record<string, unknown>[] }[];
    };
    loose.strategies[0]!.totals.latencyByRoute = { me: { count: 4, p50: '1.5 ms', p99: 3 } };
    loose.strategies[0]!.timeline[2]!.pinnedTotal = null;
    await writeFile(path.join(dir, 'summary.json'), JSON.stringify(run));
    await refuses(dir, /strategies\[0\]\.timeline\[2\]\.pinnedTotal: /);
    await refuses(dir, /strategies\[0\]\.totals\.latencyByRoute\.me\.p50: /);
  });

  it("reads the browser's cookie figures into C2, and refuses a malformed one", async () => {
    const run = fixtureSummary();
    const cookie = run.strategies.find((s) => s.strategy === 'cookie')!;
    cookie.probes.browserCookie = {
      browser: 'Chromium 156.0.8078.114',
      largestKeptBytes: 4096,
      at4096: 'kept',
      at4097: 'dropped',
      previousKeptOnDrop: true,
      lab: {
        largestHeldBytes: 4012,
        itemsAccepted: 73,
        refusal: { status: 413, code: 'COOKIE_TOO_LARGE' },
        sessionAfterRefusal: 'kept',
      },
    };
    await writeFile(path.join(dir, 'summary.json'), JSON.stringify(run));
    const { mdPath } = await renderRun(dir);
    assert.match(
      await readFile(mdPath, 'utf8'),
      /^\| C2 A cookie holds about 4 KB +\| \*\*holds\*\* .*largest cookie kept and sent back 4,096 B/m,
    );
    Object.assign(cookie.probes.browserCookie, { at4097: 'truncated' });
    await writeFile(path.join(dir, 'summary.json'), JSON.stringify(run));
    await refuses(dir, /strategies\[2\]\.probes\.browserCookie\.at4097: /);
  });

  it('renders a summary written before the per-node counts and event status', async () => {
    const run = fixtureSummary();
    for (const strategy of run.strategies) {
      const loose = strategy as unknown as {
        totals: Record<string, unknown>;
        timeline: Record<string, unknown>[];
        events: Record<string, unknown>[];
      };
      delete loose.totals.errorsByNode;
      delete loose.totals.sessionsLostByNode;
      for (const point of loose.timeline) {
        delete point.errorsByNode;
        delete point.sessionsLostByNode;
      }
      for (const event of loose.events) {
        delete event.status;
        delete event.errorsByNode;
        delete event.sessionsLostByNode;
      }
    }
    await writeFile(path.join(dir, 'summary.json'), JSON.stringify(run));
    const { htmlPath, mdPath } = await renderRun(dir);
    assert.match(await readFile(mdPath, 'utf8'), /does not say which node they were pinned to/);
    assert.match(await readFile(htmlPath, 'utf8'), /sessions lost outside chaos windows/);
  });

  it('refuses another schema version', async () => {
    await writeFile(
      path.join(dir, 'summary.json'),
      JSON.stringify({ ...fixtureSummary(), schemaVersion: 99 }),
    );
    await refuses(dir, /schemaVersion is 99; this lab reads version 1/);
  });

  it('refuses a broken line of events.ndjson, naming the line', async () => {
    await writeFile(path.join(dir, 'events.ndjson'), '{"action":"kill"}\nnot json\n');
    await refuses(dir, /events\.ndjson line 2 is not JSON/);
  });

  it('renders a run interrupted before any strategy, and one whose strategy answered nothing', async () => {
    const run = fixtureSummary();
    run.outcome = 'interrupted';
    const empty = run.strategies[0]!;
    empty.timeline = [];
    empty.processes = [];
    empty.events = [];
    empty.totals = {
      ...empty.totals,
      requests: 0,
      servedBy: {},
      errorsByNode: {},
      sessionsLostByNode: {},
    };
    empty.totals.latencyMs = { p50: null, p95: null, p99: null, max: null };
    run.strategies = [empty];
    await writeFile(path.join(dir, 'summary.json'), JSON.stringify(run));
    const { htmlPath } = await renderRun(dir);
    assert.match(await readFile(htmlPath, 'utf8'), /the run was interrupted/);
    run.strategies = [];
    await writeFile(path.join(dir, 'summary.json'), JSON.stringify(run));
    const { mdPath } = await renderRun(dir);
    assert.match(await readFile(mdPath, 'utf8'), /interrupted/);
  });

  it('renders without scenario.json and events.ndjson', async () => {
    await unlink(path.join(dir, 'scenario.json'));
    await unlink(path.join(dir, 'events.ndjson'));
    const { htmlPath, mdPath } = await renderRun(dir);
    assert.ok(htmlPath.endsWith('report.html') && mdPath.endsWith('report.md'));
  });
});
