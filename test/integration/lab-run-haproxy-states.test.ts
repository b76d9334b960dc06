// `lab run --balancer haproxy` with a node killed and started again, as a
// user runs it: the ejection time must be HAProxy's own (read from its
// runtime API), and a stats socket that dies mid-run must cost a warning,
// not the run. The test removes the socket itself once HAProxy has shown
// the killed node down for a while, so the kill is measured and the start
// after it is not.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../lab/paths.ts';
import { waitFor } from '../../lab/process/wait.ts';
import { readServerStates } from '../../lab/services/haproxy-server-states.ts';
import type { RunSummary, StrategySummary } from '../../report/summary-schema.ts';

const execFileAsync = promisify(execFile);
const LAB = path.join(ROOT, 'bin', 'lab.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function lab(args: string[]): Promise<CliResult> {
  try {
    const result = await execFileAsync(process.execPath, [LAB, ...args], { timeout: 170_000 });
    return { code: 0, ...result };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

describe('lab run through HAProxy: node states are HAProxy’s own', function () {
  this.timeout(180_000);
  let dir: string;
  let runDir: string;
  let result: CliResult;
  let summary: RunSummary;
  let entry: StrategySummary;
  /** Why the test could not remove the socket as planned, if it could not. */
  let sabotage: Error | undefined;

  before(async () => {
    // Short paths: HAProxy's socket goes in the run folder only within 97 bytes.
    dir = await mkdtemp(path.join(os.tmpdir(), 'lhs-'));
    const file = path.join(dir, 'hs.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'hs',
        topology: { nodes: 2 },
        strategies: ['sticky'],
        balancer: 'haproxy',
        load: { rate: 10, durationS: 11, warmupS: 1, steps: 10, thinkMs: 50 },
        chaos: [
          { at: '3s', action: 'kill', target: 'node-2' },
          { at: '7s', action: 'start', target: 'node-2' },
        ],
        probes: { enabled: false },
      }),
    );
    const runsDir = path.join(dir, 'r');
    const run = lab(['run', file, '--out', runsDir]);
    try {
      await killSocketOnceNode2IsDown(runsDir);
    } catch (error) {
      sabotage = error as Error;
    } finally {
      result = await run;
    }
    const [only] = await readdir(runsDir);
    runDir = path.join(runsDir, only!);
    summary = JSON.parse(await readFile(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary;
    entry = summary.strategies[0]!;
  });

  after(() => rm(dir, { recursive: true, force: true }));

  /**
   * Waits for HAProxy's socket, then until HAProxy itself has shown node-2
   * down in reads at least 0.6 s apart (the run reads every 0.25 s, so it has
   * seen it too), then removes the socket: from then on no read answers.
   */
  async function killSocketOnceNode2IsDown(runsDir: string): Promise<void> {
    const socket = await waitFor(
      async () => {
        const [run] = await readdir(runsDir).catch(() => []);
        if (!run) return false;
        const candidate = path.join(runsDir, run, 'lab', 'sticky-haproxy', 'haproxy.sock');
        await readServerStates(candidate);
        return candidate;
      },
      { timeoutMs: 90_000, intervalMs: 200, what: "HAProxy's stats socket in the run folder" },
    );
    let downSince: number | undefined;
    await waitFor(
      async () => {
        const node2 = (await readServerStates(socket)).find((server) => server.id === 'node-2');
        if (node2?.state !== 'down') {
          downSince = undefined;
          return false;
        }
        downSince ??= Date.now();
        return Date.now() - downSince >= 600;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'HAProxy to show node-2 down' },
    );
    await unlink(socket);
  }

  it('completes the run, labelled as HAProxy’s, with node states read from HAProxy', () => {
    assert.equal(sabotage, undefined, sabotage?.message);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.equal(summary.outcome, 'completed');
    assert.equal(entry.strategy, 'sticky @haproxy');
    assert.equal(entry.balancer, 'haproxy');
    assert.equal(entry.nodeStatesFrom, 'haproxy');
  });

  it('times the ejection by HAProxy marking the node down, sooner than the lab balancer could', () => {
    const [kill] = entry.events;
    assert.equal(kill?.action, 'kill');
    assert.equal(kill.status, 'done', kill.detail);
    // HAProxy ejects on the traffic's connection errors (observe layer4, 5 in a row). The lab
    // balancer beside it carries no traffic here and needs two failed checks 1 s apart: had its
    // view been read, the ejection could not come before 1 s.
    assert.ok(
      kill.ejectedAfterS !== null && kill.ejectedAfterS < 1,
      `ejected after ${kill.ejectedAfterS} s`,
    );
  });

  it('says the dead socket in a warning and leaves the return it could not see unmeasured', () => {
    const warning = entry.warnings.find((text) => /HAProxy's runtime API/.test(text));
    assert.ok(warning, entry.warnings.join('\n'));
    assert.match(
      warning,
      /did not answer \d+ of \d+ reads, from \d+\.\d s to \d+\.\d s into the load/,
    );
    assert.ok(summary.warnings.includes(warning), 'the run summary repeats it');
    const start = entry.events[1]!;
    assert.equal(start.action, 'start');
    assert.equal(start.status, 'done', start.detail);
    assert.equal(start.returnedAfterS, null, 'HAProxy could not be read when node-2 came back');
    assert.ok(
      !entry.warnings.some((text) => /lab balancer's health checks/.test(text)),
      'no word of the lab balancer standing in for HAProxy',
    );
  });

  it('says whose node states the report shows', async () => {
    const html = await readFile(path.join(runDir, 'report.html'), 'utf8');
    assert.match(html, /HAProxy&#39;s own server states|HAProxy's own server states/);
  });
});
