// `lab run` end to end, as a user runs it: the CLI on a scenario file, real
// nodes, stores, load generator and chaos, then the run folder checked for
// the right shape and for values that must hold (issues 4 and 5).
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../lab/paths.ts';
import type { RunSummary, StrategySummary } from '../../report/summary-schema.ts';
import { waitFor } from '../../lab/process/wait.ts';

const execFileAsync = promisify(execFile);
const LAB = path.join(ROOT, 'bin', 'lab.js');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function lab(args: string[], timeout = 120_000): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [LAB, ...args], { timeout });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** The one run folder under `runsDir`. */
async function onlyRun(runsDir: string): Promise<string> {
  const entries = await readdir(runsDir);
  assert.equal(entries.length, 1, `one run folder in ${runsDir}: ${entries.join(', ')}`);
  return path.join(runsDir, entries[0]!);
}

async function summaryOf(runDir: string): Promise<RunSummary> {
  return JSON.parse(await readFile(path.join(runDir, 'summary.json'), 'utf8')) as RunSummary;
}

function strategy(summary: RunSummary, name: string): StrategySummary {
  const found = summary.strategies.find((entry) => entry.strategy === name);
  assert.ok(found, `${name} in summary.json`);
  return found;
}

/** Command lines of live processes that mention `text` (a run folder): none may be left. */
async function processesMentioning(text: string): Promise<string[]> {
  const { stdout } = await execFileAsync('ps', ['-eo', 'args']);
  return stdout.split('\n').filter((line) => line.includes(text) && !line.startsWith('ps '));
}

describe('lab run', function () {
  this.timeout(180_000);
  let dir: string;

  before(async () => (dir = await mkdtemp(path.join(os.tmpdir(), 'lab-run-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  async function scenarioFile(name: string, scenario: Record<string, unknown>): Promise<string> {
    const file = path.join(dir, `${name}.json`);
    await writeFile(file, JSON.stringify({ name, ...scenario }));
    return file;
  }

  describe('a node killed and started again during the load', () => {
    let runDir: string;
    let summary: RunSummary;
    let result: CliResult;

    before(async () => {
      const file = await scenarioFile('it-failover', {
        strategies: ['sticky', 'redis', 'cookie', 'jwt'],
        load: { rate: 10, durationS: 7, warmupS: 1, steps: 10, thinkMs: 80 },
        chaos: [
          { at: '2s', action: 'kill', target: 'node-2' },
          { at: '4s', action: 'start', target: 'node-2' },
        ],
        probes: { enabled: false },
        thresholds: { staleReads: 0 },
      });
      const runsDir = path.join(dir, 'failover-runs');
      result = await lab(['run', file, '--out', runsDir]);
      runDir = await onlyRun(runsDir);
      summary = await summaryOf(runDir);
    });

    it('completes, prints where the reports are, and writes the run folder', async () => {
      assert.equal(result.code, 0, result.stderr + result.stdout);
      assert.match(result.stdout, /report {4}.*report\.html/);
      const files = await readdir(runDir);
      for (const wanted of [
        'scenario.json',
        'summary.json',
        'events.ndjson',
        'report.md',
        'report.html',
        'load',
        'lab',
      ]) {
        assert.ok(files.includes(wanted), `${wanted} in the run folder (${files.join(', ')})`);
      }
      const raw = await readdir(path.join(runDir, 'load'));
      assert.ok(
        raw.includes('sticky.series.ndjson') && raw.includes('redis-cas.totals.json'),
        raw.join(', '),
      );
      assert.equal(summary.outcome, 'completed');
      assert.deepEqual(
        summary.strategies.map((entry) => entry.strategy),
        ['sticky', 'redis:cas', 'cookie', 'jwt'],
      );
    });

    it('has per-second series for the client and for every process', () => {
      for (const entry of summary.strategies) {
        assert.ok(
          entry.totals.requests > 50,
          `${entry.strategy}: requests ${entry.totals.requests}`,
        );
        assert.ok(
          entry.timeline.length >= 6,
          `${entry.strategy}: ${entry.timeline.length} seconds`,
        );
        const names = entry.processes.map((process) => process.name);
        for (const wanted of ['balancer', 'node-1', 'node-2', 'node-3', 'loadgen']) {
          assert.ok(
            names.includes(wanted),
            `${entry.strategy}: ${wanted} sampled (${names.join(', ')})`,
          );
        }
        const balancer = entry.processes.find((process) => process.name === 'balancer')!;
        assert.ok(Math.abs(balancer.cores.length - entry.timeline.length) <= 2);
        assert.ok(balancer.cpuMicros > 0);
        assert.ok(entry.cpuPerRequestMicros.nodes! > 0);
        assert.ok(entry.bytesPerRequest.sent > 0);
      }
      assert.ok(
        strategy(summary, 'redis:cas').processes.some((process) => process.name === 'redis'),
      );
      assert.equal(strategy(summary, 'sticky').cpuPerRequestMicros.stores, null);
    });

    it('measures each chaos event: the kill ejected node-2, the start brought it back', () => {
      for (const entry of summary.strategies) {
        const [kill, start] = entry.events;
        assert.equal(kill?.action, 'kill');
        assert.equal(kill.status, 'done', kill.detail);
        assert.equal(start?.action, 'start');
        assert.equal(start.status, 'done', start.detail);
        assert.ok(
          kill.ejectedAfterS !== null && kill.ejectedAfterS < 5,
          `ejected after ${kill.ejectedAfterS} s`,
        );
        assert.ok(Math.abs(kill.t - 2) < 1, `kill at ${kill.t} s`);
      }
    });

    it("sticky loses the killed node's sessions and no others; redis, cookie, jwt lose none", () => {
      const sticky = strategy(summary, 'sticky');
      const kill = sticky.events[0]!;
      assert.ok(kill.sessionsLost > 0, 'sticky: sessions pinned to node-2 are lost');
      assert.deepEqual(
        Object.keys(sticky.totals.sessionsLostByNode ?? {}),
        ['node-2'],
        'and no others',
      );
      for (const name of ['redis:cas', 'cookie', 'jwt']) {
        const entry = strategy(summary, name);
        assert.equal(entry.totals.sessionsLost, 0, `${name}: a node kill loses no session`);
        // Requests that never went to the dead node do not fail.
        const blamed = Object.keys(entry.totals.errorsByNode ?? {}).filter(
          (node) => node !== 'node-2',
        );
        assert.deepEqual(
          blamed,
          [],
          `${name} errors by node: ${JSON.stringify(entry.totals.errorsByNode)}`,
        );
      }
    });

    it('nothing is stale, lost or dropped, and the thresholds held', () => {
      for (const entry of summary.strategies) {
        assert.equal(entry.totals.staleReads, 0, `${entry.strategy}: stale reads`);
        assert.equal(entry.totals.lostUpdates, 0, `${entry.strategy}: lost updates`);
        assert.equal(entry.totals.dropped, 0, `${entry.strategy}: dropped journeys`);
        assert.ok(entry.thresholds.every((threshold) => threshold.ok));
      }
    });

    it('logs every chaos and control event with its strategy', async () => {
      const events = (await readFile(path.join(runDir, 'events.ndjson'), 'utf8'))
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      for (const name of ['sticky', 'redis:cas', 'cookie', 'jwt']) {
        const mine = events.filter((event) => event.strategy === name);
        assert.ok(
          mine.some((event) => event.action === 'kill' && event.target === 'node-2'),
          name,
        );
        assert.ok(
          mine.some((event) => event.action === 'load-start'),
          name,
        );
        const effect = mine.find((event) => event.type === 'effect' && event.action === 'kill');
        assert.equal(typeof effect?.sessionsLost, 'number', `${name}: the kill's effect is logged`);
      }
    });

    it('leaves no process and no key behind', async () => {
      assert.deepEqual(await processesMentioning(runDir), []);
      const lab = path.join(runDir, 'lab', 'redis-cas');
      await assert.rejects(readFile(path.join(lab, 'state.json')));
      // Nor a password: the nodes' secrets files and Redis's config are gone, its log stays.
      await assert.rejects(readdir(path.join(lab, 'secrets')), { code: 'ENOENT' });
      await assert.rejects(readFile(path.join(lab, 'redis', 'redis.conf')), { code: 'ENOENT' });
      await readFile(path.join(lab, 'redis', 'redis.log'));
    });
  });

  describe('the store taken away and brought back during the load', () => {
    let summary: RunSummary;
    let result: CliResult;

    before(async () => {
      // Journeys of about 4 s, so sessions started before the outage are used after it.
      const file = await scenarioFile('it-outage', {
        strategies: ['redis', 'clustered:partitioned', 'clustered:replicated'],
        load: { rate: 3, durationS: 8, warmupS: 0, steps: 25, thinkMs: 150 },
        chaos: [
          { at: '2s', action: 'kill', target: 'redis' },
          { at: '3s', action: 'start', target: 'redis' },
          { at: '2s', action: 'kill', target: 'hz-2' },
          { at: '4s', action: 'start', target: 'hz-2' },
        ],
        probes: { enabled: false },
      });
      const runsDir = path.join(dir, 'outage-runs');
      result = await lab(['run', file, '--out', runsDir]);
      summary = await summaryOf(await onlyRun(runsDir));
    });

    it('redis without persistence: users get 503 during the outage and lose every session, and the lab says so', () => {
      assert.equal(result.code, 0, result.stderr + result.stdout);
      const redis = strategy(summary, 'redis:cas');
      const kill = redis.events.find(
        (event) => event.action === 'kill' && event.target === 'redis',
      )!;
      assert.equal(kill.status, 'done');
      assert.match(kill.detail, /persistence none: its \d+ key\(s\) are lost/);
      assert.ok(
        kill.errors > 0 && (kill.errorsByNode?.['node-1'] ?? 0) > 0,
        'every node answers 503',
      );
      assert.ok(redis.totals.errorsByKind['503']! > 0);
      const start = redis.events.find(
        (event) => event.action === 'start' && event.target === 'redis',
      )!;
      assert.match(start.detail, /persistence none: nothing survives/);
      assert.ok(start.sessionsLost > 0, 'sessions started before the outage are gone after it');
      assert.notEqual(start.recoveredAfterS, null, 'errors back to their level after the restart');
      const skipped = redis.events.filter((event) => event.target === 'hz-2');
      assert.deepEqual(
        skipped.map((event) => event.status),
        ['skipped', 'skipped'],
      );
    });

    it('a Hazelcast member killed with a synchronous backup or full replication loses no session', () => {
      for (const name of ['clustered:partitioned', 'clustered:replicated']) {
        const entry = strategy(summary, name);
        const kill = entry.events.find(
          (event) => event.action === 'kill' && event.target === 'hz-2',
        )!;
        assert.equal(kill.status, 'done', kill.detail);
        assert.equal(entry.totals.sessionsLost, 0, `${name}: no session lost`);
        assert.equal(entry.totals.staleReads, 0, `${name}: no stale read`);
        assert.ok(entry.totals.requests > 50);
      }
    });
  });

  it('plays network faults and a timed pause during the load, and measures them', async () => {
    const file = await scenarioFile('it-network', {
      strategies: ['redis'],
      load: { rate: 8, durationS: 8, warmupS: 0, steps: 10, thinkMs: 80 },
      chaos: [
        {
          at: '1s',
          action: 'network',
          target: 'node-1->redis',
          fault: 'latency',
          ms: 200,
          for: '2s',
        },
        { at: '3.5s', action: 'pause', target: 'node-3', for: '1s' },
        { at: '5s', action: 'network', target: 'redis', fault: 'down', for: '1.5s' },
      ],
      probes: { enabled: false },
    });
    const runsDir = path.join(dir, 'network-runs');
    const result = await lab(['run', file, '--out', runsDir]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const runDir = await onlyRun(runsDir);
    const redis = strategy(await summaryOf(runDir), 'redis:cas');
    const [latency, pause, down] = redis.events;
    assert.equal(latency?.status, 'done', latency?.detail);
    assert.match(latency.detail, /latency 200 ms on node-1->redis/);
    // The slowed link shows in the latency of the seconds it held (p99 of those seconds).
    const slowed = redis.timeline.slice(1, 3).map((point) => point.p99Ms ?? 0);
    assert.ok(Math.max(...slowed) >= 200, `p99 while node-1's link was slow: ${slowed.join(', ')}`);
    assert.equal(pause?.status, 'done', pause?.detail);
    assert.match(pause.detail, /paused for 1000 ms, then resumed/);
    assert.equal(down?.status, 'done', down?.detail);
    assert.ok(down.errors > 0, 'the store out of reach: users see errors');
    assert.ok((redis.totals.errorsByKind['503'] ?? 0) > 0, 'answered 503, fast, not hung');
    assert.ok(redis.processes.some((process) => process.name === 'toxiproxy'));
    assert.deepEqual(await processesMentioning(runDir), []);
  });

  it('reports lost updates under last-write-wins and none under compare-and-set', async () => {
    const file = await scenarioFile('it-concurrency', {
      strategies: ['redis:lww', 'redis:cas'],
      load: {
        journey: 'concurrency',
        rate: 3,
        durationS: 3,
        warmupS: 0,
        steps: 3,
        thinkMs: 20,
        parallelWrites: 5,
      },
      probes: { enabled: false },
    });
    const runsDir = path.join(dir, 'concurrency-runs');
    const result = await lab(['run', file, '--out', runsDir]);
    assert.equal(result.code, 0, result.stderr + result.stdout);
    const summary = await summaryOf(await onlyRun(runsDir));
    const lww = strategy(summary, 'redis:lww');
    const cas = strategy(summary, 'redis:cas');
    assert.ok(lww.totals.lostUpdates > 0, `lww lost ${lww.totals.lostUpdates} updates`);
    assert.equal(cas.totals.lostUpdates, 0);
    assert.equal(cas.totals.staleReads, 0);
  });

  /** Starts `lab run` on `scenario`, sends SIGINT once its output matches `when`, returns its exit and folder. */
  async function interrupted(
    name: string,
    scenario: Record<string, unknown>,
    when: RegExp,
    delayMs: number,
  ): Promise<{ code: number | null | 'hung'; output: string; runDir: string }> {
    const file = await scenarioFile(name, scenario);
    const runsDir = path.join(dir, `${name}-runs`);
    const child = spawn(process.execPath, [LAB, 'run', file, '--out', runsDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    await waitFor(() => Promise.resolve(when.test(output)), {
      timeoutMs: 60_000,
      what: `${when} in the output`,
    });
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    child.kill('SIGINT');
    const code = await Promise.race([
      exited,
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 30_000)),
    ]);
    return { code, output, runDir: await onlyRun(runsDir) };
  }

  it('stops cleanly on Ctrl-C during a load: exit 130, an interrupted summary, no process left', async () => {
    const { code, output, runDir } = await interrupted(
      'it-interrupt',
      {
        strategies: ['redis', 'sticky'],
        load: { rate: 5, durationS: 60, warmupS: 0 },
        chaos: [{ at: '50s', action: 'kill', target: 'node-1' }],
        probes: { enabled: false },
      },
      /redis:cas: load 60 s/,
      1500,
    );
    assert.equal(code, 130, output);
    const summary = await summaryOf(runDir);
    assert.equal(summary.outcome, 'interrupted');
    assert.ok(summary.warnings.some((warning) => /interrupted: .*sticky/.test(warning)));
    assert.deepEqual(await processesMentioning(runDir), []);
  });

  it('keeps the strategies already measured when Ctrl-C comes while the next one starts', async () => {
    const { code, output, runDir } = await interrupted(
      'it-interrupt-start',
      {
        strategies: ['sticky', 'redis'],
        load: { rate: 5, durationS: 2, warmupS: 0 },
        probes: { enabled: false },
      },
      /redis:cas: starting/,
      100,
    );
    assert.equal(code, 130, output);
    const summary = await summaryOf(runDir);
    assert.equal(summary.outcome, 'interrupted');
    assert.deepEqual(
      summary.strategies.map((entry) => entry.strategy),
      ['sticky'],
    );
    assert.ok(summary.strategies[0]!.totals.requests > 0);
    assert.ok(
      summary.warnings.some((warning) => /interrupted: redis:cas not measured/.test(warning)),
    );
    await readFile(path.join(runDir, 'report.html')); // the report of what was measured
    assert.deepEqual(await processesMentioning(runDir), []);
  });

  it('refuses a bad scenario before starting anything, naming the field', async () => {
    const file = await scenarioFile('it-bad', { load: { rate: -1 } });
    const result = await lab(['run', file, '--out', path.join(dir, 'bad-runs')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /it-bad\.json: load\.rate: Too small/);
    await assert.rejects(
      readdir(path.join(dir, 'bad-runs')),
      'no run folder for a refused scenario',
    );
  });
});
