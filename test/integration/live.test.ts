// The live page in the machine's Chromium (Debian package; never a browser
// downloaded by Playwright), as a user watches it: during a `lab run --live`
// with a node killed, the kill's marker and the node going down show within
// seconds and the page's request count ends equal to summary.json; on a
// `lab up --live` topology, the admin panel drains and enables a node through
// the lab (recorded in events.ndjson), and only the page itself may ask.
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT } from '../../lab/paths.ts';
import { assertPortFree, freePort } from '../../lab/process/ports.ts';
import type { RunSummary } from '../../report/summary-schema.ts';
import type { LabState } from '../../lab/topology/state.ts';
import { findChromium } from '../../lab/tools/chromium.ts';

const execFileAsync = promisify(execFile);
const LAB = path.join(ROOT, 'bin', 'lab.js');

/** A `lab` command left running, its output collected, the live page's address once printed. */
interface RunningLab {
  child: ChildProcess;
  output: string[];
  url: Promise<string>;
  exit: Promise<number | null>;
}

function startLab(args: string[], env: NodeJS.ProcessEnv = {}): RunningLab {
  const child = spawn(process.execPath, [LAB, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      output.push(line);
      const match = /^live page (http:\/\/127\.0\.0\.1:\d+\/)/.exec(line);
      if (match) resolve(match[1]!);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
    void exit.then((code) => reject(new Error(`lab exited ${code}: ${output.join('\n')}`)));
  });
  url.catch(() => undefined);
  return { child, output, url, exit };
}

/** A free port whose neighbour is free too: `lab up` puts the admin API on port + 1. */
async function freePortPair(): Promise<number> {
  for (;;) {
    const port = await freePort();
    const neighbourFree = await assertPortFree(port + 1).then(
      () => true,
      () => false,
    );
    if (port < 65000 && neighbourFree) return port;
  }
}

/** Collects what a page must not do: errors (a CSP refusal is one), requests to elsewhere. */
function watch(page: Page, origin: string): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`console ${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('request', (request) => {
    if (!request.url().startsWith(origin)) problems.push(`request elsewhere: ${request.url()}`);
  });
  return problems;
}

/** The health badge of node `id` shows `health` (as the balancer sees it). */
function healthOf(page: Page, id: string, health: string, timeout: number): Promise<unknown> {
  return page.waitForSelector(`[data-node="${id}"][data-health="${health}"]`, { timeout });
}

describe('the live page in Chromium', function () {
  this.timeout(180_000);
  let browser: Browser | undefined;
  let dir: string;

  before(async () => {
    const found = await findChromium();
    if (!found) {
      throw new Error('Chromium is not installed: run `npx lab setup` (Debian package chromium)');
    }
    dir = await mkdtemp(path.join(os.tmpdir(), 'lab-live-'));
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
  });

  it('lab run --live: shows the kill as it happens, the node down, the next strategy, and ends on summary.json’s counts', async () => {
    const scenarioFile = path.join(dir, 'live-kill.json');
    await writeFile(
      scenarioFile,
      JSON.stringify({
        name: 'live-kill',
        topology: { nodes: 2 },
        // A second strategy (cookie needs no store, so it starts fast) for the change-over.
        strategies: ['sticky', 'cookie'],
        load: { rate: 5, durationS: 5, warmupS: 0, steps: 5, thinkMs: 100 },
        chaos: [{ at: '2s', action: 'kill', target: 'node-2' }],
        probes: { enabled: false },
      }),
    );
    const runsDir = path.join(dir, 'runs');
    const lab = startLab(['run', scenarioFile, '--live', '--out', runsDir]);
    try {
      const url = await lab.url;
      const page = await browser!.newPage({ viewport: { width: 1366, height: 900 } });
      const problems = watch(page, url.replace(/\/$/, ''));
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForSelector('#connection[data-connection="open"]', { timeout: 10000 });
      await healthOf(page, 'node-2', 'up', 60000);

      // The kill: its row leaves "pending" and its marker is drawn on the charts.
      await page.waitForFunction(
        () => {
          const doc = (globalThis as unknown as { document: PageDocument }).document;
          const row = doc.querySelector('[data-strategy="sticky"] tr[data-step="0"]');
          const chart = doc.querySelector('[data-strategy="sticky"] .uplot');
          const status = row?.getAttribute('data-status');
          return (
            status !== undefined &&
            status !== null &&
            status !== 'pending' &&
            Number(chart?.getAttribute('data-markers-drawn') ?? 0) >= 1
          );
        },
        undefined,
        { timeout: 60000, polling: 100 },
      );
      const markerSeenAt = Date.now();
      await healthOf(page, 'node-2', 'down', 10000);
      const downSeenAt = Date.now();

      // The change-over: the page says so, and sticky's section stays with its figures.
      await page.waitForSelector('[data-strategy="cookie"]', { timeout: 60000 });
      const notice = await page.textContent('#notice');
      assert.match(notice ?? '', /Now cookie \(2 of 2\); sticky has finished/);
      assert.equal(await lab.exit, 0, lab.output.join('\n'));
      const [folder] = await readdir(runsDir);
      const summary = JSON.parse(
        await readFile(path.join(runsDir, folder!, 'summary.json'), 'utf8'),
      ) as RunSummary;
      const sticky = summary.strategies[0]!;
      const kill = sticky.events.find((event) => event.action === 'kill');
      assert.ok(kill, 'the kill is in summary.json');
      const killedAt = Date.parse(kill.at);
      assert.ok(
        markerSeenAt - killedAt <= 2000,
        `kill marker seen ${markerSeenAt - killedAt} ms after the kill`,
      );
      assert.ok(downSeenAt >= killedAt, 'node-2 shown down after the kill, not before');

      await page.waitForSelector('#connection[data-connection="ended"]', { timeout: 10000 });
      for (const measured of summary.strategies) {
        const section = `[data-strategy="${measured.strategy}"]`;
        assert.equal(await page.getAttribute(section, 'data-finished'), 'true');
        const shown = await page.textContent(`${section} [data-field="requests"]`);
        assert.ok(measured.totals.requests > 0, `${measured.strategy} made requests`);
        assert.equal(
          Number(shown),
          measured.totals.requests,
          `the page counted every request of ${measured.strategy}`,
        );
      }
      assert.equal(summary.strategies.length, 2);
      const row = await page.getAttribute(
        '[data-strategy="sticky"] tr[data-step="0"]',
        'data-status',
      );
      assert.equal(row, 'done');
      assert.deepEqual(problems, []);
      console.log(
        `      kill marker seen ${markerSeenAt - killedAt} ms after the kill, node-2 down on the page ${downSeenAt - killedAt} ms after; ` +
          `requests on the page and in summary.json: ${summary.strategies.map((s) => `${s.strategy} ${s.totals.requests}`).join(', ')}`,
      );
      await page.close();
    } finally {
      if (lab.child.exitCode === null) lab.child.kill('SIGINT');
      await lab.exit;
    }
  });

  describe('lab up --live', () => {
    let stateDir: string;
    let lab: RunningLab;
    let url: string;

    before(async () => {
      stateDir = await mkdtemp(path.join(os.tmpdir(), 'lab-live-up-'));
      const port = await freePortPair();
      lab = startLab(['up', '--nodes', '2', '--port', String(port), '--live'], {
        LAB_STATE_DIR: stateDir,
      });
      url = await lab.url;
    });

    after(async () => {
      if (lab && lab.child.exitCode === null) lab.child.kill('SIGINT');
      if (lab) assert.equal(await lab.exit, 0, 'Ctrl-C stops the page cleanly');
      await execFileAsync(process.execPath, [LAB, 'down'], {
        env: { ...process.env, LAB_STATE_DIR: stateDir },
        timeout: 45000,
      });
      await rm(stateDir, { recursive: true, force: true });
    });

    it('drains and enables a node and switches the strategy from the admin panel, recorded like the CLI’s actions', async () => {
      const page = await browser!.newPage({ viewport: { width: 1366, height: 900 } });
      const problems = watch(page, url.replace(/\/$/, ''));
      await page.goto(url, { waitUntil: 'load' });
      await healthOf(page, 'node-2', 'up', 15000);

      await page.click('button[data-action="drain"][data-target="node-2"]');
      await page.waitForSelector('#admin-result[data-state="done"]', { timeout: 15000 });
      assert.match((await page.textContent('#admin-result')) ?? '', /drain node-2: up -> draining/);
      await healthOf(page, 'node-2', 'draining', 5000);

      await page.click('button[data-action="enable"][data-target="node-2"]');
      await page.waitForFunction(
        () =>
          (globalThis as unknown as { document: PageDocument }).document
            .querySelector('#admin-result')
            ?.textContent?.startsWith('enable node-2') === true,
        undefined,
        { timeout: 15000 },
      );
      await healthOf(page, 'node-2', 'up', 5000);
      // The marker row of each action, from events.ndjson.
      await page.waitForSelector('[data-strategy="topology"] tr[data-status="done"]', {
        timeout: 5000,
      });

      const events = (await readFile(path.join(stateDir, 'events.ndjson'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { type: string; action: string; target: string });
      const actions = events
        .filter((event) => event.type === 'chaos')
        .map((event) => `${event.action} ${event.target}`);
      assert.deepEqual(actions, ['drain node-2', 'enable node-2']);

      // A strategy switch from the panel: the CLI's `lab strategy`, recorded as a control event.
      await page.selectOption('#admin-strategy', 'cookie');
      await page.click('#admin-switch');
      await page.waitForFunction(
        () =>
          (globalThis as unknown as { document: PageDocument }).document
            .querySelector('#admin-result')
            ?.textContent?.startsWith('switched to cookie') === true,
        undefined,
        { timeout: 30000 },
      );
      await page.waitForFunction(
        () =>
          (globalThis as unknown as { document: PageDocument }).document
            .querySelector('#title')
            ?.textContent?.endsWith('strategy cookie') === true,
        undefined,
        { timeout: 5000 },
      );
      const switches = (await readFile(path.join(stateDir, 'events.ndjson'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { action: string; to?: string })
        .filter((event) => event.action === 'strategy');
      assert.deepEqual(
        switches.map((event) => event.to),
        ['cookie'],
      );

      const state = JSON.parse(
        await readFile(path.join(stateDir, 'state.json'), 'utf8'),
      ) as LabState;
      const html = await page.content();
      assert.ok(!html.includes(state.balancer.adminToken), 'the page never holds the admin token');
      assert.deepEqual(problems, []);
      await page.close();
    });

    it('refuses an action that does not come from the page', async () => {
      const post = (headers: Record<string, string>) =>
        fetch(`${url}actions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify({ action: 'kill', target: 'node-1' }),
        });
      const origin = url.replace(/\/$/, '');
      const noOrigin = await post({});
      assert.equal(noOrigin.status, 403);
      const otherSite = await post({ origin: 'http://evil.example', 'x-live-token': 'x' });
      assert.equal(otherSite.status, 403);
      const noToken = await post({ origin });
      assert.equal(noToken.status, 403);
      assert.equal(
        ((await noToken.json()) as { error: { code: string } }).error.code,
        'BAD_PAGE_TOKEN',
      );
      // A name that resolves to 127.0.0.1 (DNS rebinding) still says its own host.
      const rebound = await new Promise<number | undefined>((resolve, reject) => {
        http
          .get(url, { headers: { host: 'evil.example' } }, (response) => {
            response.resume();
            resolve(response.statusCode);
          })
          .on('error', reject);
      });
      assert.equal(rebound, 421);
      const events = await readFile(path.join(stateDir, 'events.ndjson'), 'utf8');
      assert.ok(!events.includes('"kill"'), 'no refused action ran');
    });
  });
});

/** The little of the DOM the checks read (the project compiles without the DOM library). */
interface PageDocument {
  querySelector(selector: string): {
    getAttribute(name: string): string | null;
    textContent: string | null;
  } | null;
}
