import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadConfig, LoadTotals, SecondPoint } from '../../loadgen/types.ts';
import { parseStrategyChoice } from '../../lab/strategy/choice.ts';
import { switchStrategy } from '../../lab/strategy-switch.ts';
import { useTopology } from './harness.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** No generator run here may take longer than this; the child is killed past it. */
const CHILD_LIMIT_MS = 20_000;

interface Finished {
  code: number | null;
  /** The `{"started": ms}` line stdout opens with. */
  startedLine: unknown;
  stdoutLines: SecondPoint[];
  stderr: string;
  series: SecondPoint[];
  totals: LoadTotals | undefined;
}

function lines(text: string): SecondPoint[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as SecondPoint);
}

async function readIfThere(file: string): Promise<string> {
  return readFile(file, 'utf8').catch(() => '');
}

/** Runs the generator as the orchestrator does: a child process with three files. */
async function runLoadgen(
  dir: string,
  name: string,
  config: LoadConfig | Record<string, unknown>,
  onFirstLine?: (child: ReturnType<typeof spawn>) => void,
): Promise<Finished> {
  const files = {
    config: path.join(dir, `${name}.config.json`),
    series: path.join(dir, `${name}.series.ndjson`),
    totals: path.join(dir, `${name}.totals.json`),
  };
  await writeFile(files.config, JSON.stringify(config));
  const child = spawn(
    process.execPath,
    [
      'loadgen/main.ts',
      '--config',
      files.config,
      '--series',
      files.series,
      '--totals',
      files.totals,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  let sawSecond = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    // The first second's line (after the `started` line): the load is under way.
    if (!sawSecond && stdout.split('\n').length > 2) {
      sawSecond = true;
      onFirstLine?.(child);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const killer = setTimeout(() => child.kill('SIGKILL'), CHILD_LIMIT_MS);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(killer);
  const totalsText = await readIfThere(files.totals);
  return {
    code,
    startedLine: JSON.parse(stdout.split('\n', 1)[0] || 'null'),
    stdoutLines: lines(stdout.slice(stdout.indexOf('\n') + 1)),
    stderr,
    series: lines(await readIfThere(files.series)),
    totals: totalsText ? (JSON.parse(totalsText) as LoadTotals) : undefined,
  };
}

function consistency(totals: LoadTotals) {
  const { sessionsLost, staleReads, lostUpdates, doubledUpdates } = totals;
  return { sessionsLost, staleReads, lostUpdates, doubledUpdates };
}

describe('loadgen: the load generator process against a real topology', function () {
  this.timeout(60_000);
  const topology = useTopology(3);
  let dir = '';
  let base: Omit<LoadConfig, 'journey' | 'model' | 'strategy'>;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'loadgen-it-'));
    base = {
      url: topology.state.balancer.url,
      rate: 4,
      vus: 20,
      durationMs: 3000,
      steps: 6,
      thinkMs: 50,
      parallelWrites: 5,
      timeoutMs: 2000,
      seed: 1,
    };
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sticky, shop, open model: a line a second on stdout and in the series, clean totals', async () => {
    const run = await runLoadgen(dir, 'sticky', {
      ...base,
      strategy: 'sticky',
      journey: 'shop',
      model: 'open',
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      run.startedLine,
      { started: run.totals?.startedAtMs },
      'stdout opens with the time of t = 0',
    );
    assert.deepEqual(run.stdoutLines, run.series, 'stdout carries the very series lines');
    assert.ok(run.series.length >= 3 && run.series.length <= 4, `${run.series.length} lines`);
    assert.deepEqual(
      run.series.map((point) => point.t),
      run.series.map((_, index) => index),
    );
    assert.ok(run.series.slice(0, 3).every((point) => point.requests > 0 && point.p50Ms !== null));
    const totals = run.totals!;
    assert.ok(totals.requests > 30, `requests ${totals.requests}`);
    assert.equal(
      totals.requests,
      run.series.reduce((sum, point) => sum + point.requests, 0),
    );
    assert.equal(totals.errors, 0, JSON.stringify(totals.errorsByKind));
    assert.deepEqual(consistency(totals), {
      sessionsLost: 0,
      staleReads: 0,
      lostUpdates: 0,
      doubledUpdates: 0,
    });
    assert.equal(totals.journeysStarted, 12, '4 journeys a second for 3 s');
    assert.equal(totals.dropped, 0);
    assert.ok(totals.journeysCompleted >= 10, `completed ${totals.journeysCompleted}`);
    assert.equal(totals.sessionsStarted, totals.journeysStarted);
    const nodes = new Set(topology.state.nodes.map((node) => node.id));
    assert.ok(
      Object.keys(totals.servedBy).every((id) => nodes.has(id)),
      'X-Served-By is a node',
    );
    assert.ok(totals.bytesSent > 0 && totals.bytesReceived > 0);
    assert.ok(totals.latencyMs.p99 !== null && totals.latencyMs.p99 < 2000);
    assert.ok(totals.elapsedMs >= 3000 && totals.elapsedMs < 5000, `elapsed ${totals.elapsedMs}`);
    // C5 measured: under sticky every answer after login comes from the login's node.
    assert.ok(totals.pinnedTotal! > 30, `pinned total ${totals.pinnedTotal}`);
    assert.equal(totals.pinnedServed, totals.pinnedTotal);
    const byRoute = totals.latencyByRoute!;
    assert.deepEqual(Object.keys(byRoute), [
      'login',
      'me',
      'cart',
      'add-item',
      'refresh',
      'logout',
    ]);
    assert.equal(
      Object.values(byRoute).reduce((sum, route) => sum + route.count, 0),
      totals.requests,
    );
    assert.equal(byRoute.login!.count, totals.sessionsStarted);
    assert.equal(byRoute.refresh!.count, 0, 'no token to refresh under sticky');
  });

  const concurrency = (strategy: string) => ({
    ...base,
    strategy,
    journey: 'concurrency' as const,
    model: 'closed' as const,
    vus: 3,
    durationMs: 2000,
    steps: 4,
    thinkMs: 20,
  });

  it('redis:lww, concurrency journey (5 parallel writes): updates are lost', async () => {
    const { state, stateDir } = topology;
    await switchStrategy(stateDir, state, parseStrategyChoice('redis:lww'), {
      detached: false,
      networkLinks: false,
    });
    const run = await runLoadgen(dir, 'lww', concurrency('redis:lww'));
    assert.equal(run.code, 0, run.stderr);
    const totals = run.totals!;
    assert.ok(totals.requests > 20, `requests ${totals.requests}`);
    assert.ok(totals.lostUpdates > 0, `lost updates ${totals.lostUpdates}`);
    assert.equal(totals.sessionsLost, 0);
    assert.equal(totals.errors, 0, JSON.stringify(totals.errorsByKind));
    // Round-robin over 3 nodes: about a third of a session's answers come from its login's node.
    const share = totals.pinnedServed! / totals.pinnedTotal!;
    assert.ok(totals.pinnedTotal! > 20 && share < 0.6, `pinned ${share} of ${totals.pinnedTotal}`);
  });

  it('redis:cas, the same journey: no update lost (a write that cannot win is refused with 409)', async () => {
    const { state, stateDir } = topology;
    await switchStrategy(stateDir, state, parseStrategyChoice('redis:cas'), {
      detached: false,
      networkLinks: false,
    });
    const run = await runLoadgen(dir, 'cas', concurrency('redis:cas'));
    assert.equal(run.code, 0, run.stderr);
    const totals = run.totals!;
    assert.ok(totals.requests > 20, `requests ${totals.requests}`);
    assert.deepEqual(consistency(totals), {
      sessionsLost: 0,
      staleReads: 0,
      lostUpdates: 0,
      doubledUpdates: 0,
    });
    assert.equal(totals.errors, totals.conflicts, 'the only errors are conflicts');
    assert.equal(totals.errorsByKind['409'] ?? 0, totals.conflicts);
  });

  it('a bad config exits 2 with one line naming the field', async () => {
    const run = await runLoadgen(dir, 'bad', {
      ...base,
      strategy: 'sticky',
      journey: 'shop',
      model: 'open',
      vus: 0,
    });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^loadgen: bad config .*"vus" must be a whole number from 1/);
    assert.equal(run.stderr.trim().split('\n').length, 1);
    assert.equal(run.totals, undefined);
  });

  it('SIGTERM mid-run: exits 130 within about a second, series and totals written', async () => {
    let signalledAt = 0;
    const run = await runLoadgen(
      dir,
      'term',
      { ...base, strategy: 'redis:cas', journey: 'shop', model: 'open', durationMs: 30_000 },
      (child) => {
        signalledAt = performance.now();
        child.kill('SIGTERM');
      },
    );
    const tookMs = performance.now() - signalledAt;
    assert.equal(run.code, 130, run.stderr);
    assert.ok(tookMs < 2000, `exited ${Math.round(tookMs)} ms after SIGTERM`);
    assert.ok(run.series.length >= 1);
    const totals = run.totals!;
    assert.ok(totals.requests > 0);
    assert.ok(totals.elapsedMs < 5000, `elapsed ${totals.elapsedMs}`);
    assert.equal(totals.errors, 0, 'requests cut short are not errors of the system');
  });
});
