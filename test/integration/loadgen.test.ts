import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadConfig, LoadTotals, SecondPoint } from '../../loadgen/types.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { balancerAdmin } from '../../lab/topology/admin-client.ts';
import { runChaos, type ChaosContext } from '../../lab/chaos/index.ts';
import { parseStrategyChoice } from '../../lab/strategy/choice.ts';
import { switchStrategy } from '../../lab/strategy/switch.ts';
import { readSeries, startLoadgen } from '../../lab/run/loadgen-process.ts';
import { useTopology, waitNodeState } from './harness.ts';

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

/** The misrouted answers of a run: those a held session got from a node other than its home. */
function misrouted(totals: LoadTotals): number {
  return Object.values(totals.heldAnswersByNode!).reduce(
    (sum, held) => sum + held.answers - held.home,
    0,
  );
}

describe('loadgen: the load generator process against a real topology', function () {
  this.timeout(60_000);
  const topology = useTopology(3);
  const chaos = (): ChaosContext => ({
    stateDir: topology.stateDir,
    state: topology.state,
    detached: false,
  });
  const switchTo = (choice: string) =>
    switchStrategy(topology.stateDir, topology.state, parseStrategyChoice(choice), {
      detached: false,
      networkLinks: false,
    });
  /** A chaos action started once the load is under way (its first second), awaited after it. */
  const duringLoad = (action: string, target: string, forMs?: number) => {
    let outcome: Promise<unknown> = Promise.resolve(new Error(`${action} never started`));
    return {
      start: () => {
        // Caught at once, so a failure is reported by done(), never as an unhandled rejection.
        outcome = runChaos(chaos(), action, target, { forMs }).catch((error: unknown) => error);
      },
      done: async () => {
        const result = await outcome;
        if (result instanceof Error) throw result;
      },
    };
  };
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

  it('two generator processes at rate r: about the load of one at 2r, their figures merged', async () => {
    const config: LoadConfig = {
      ...base,
      rate: 8,
      strategy: 'sticky',
      journey: 'shop',
      model: 'open',
    };
    const one = await startLoadgen(config, dir, 'one', () => undefined);
    const single = await one.done;
    const live: SecondPoint[] = [];
    const two = await startLoadgen({ ...config, processes: 2 }, dir, 'two', (point) =>
      live.push(point),
    );
    assert.deepEqual(
      two.parts.map((part) => part.name),
      ['loadgen-1', 'loadgen-2'],
    );
    const split = await two.done;
    assert.equal(split.exitCode, 0);
    const { totals } = split;
    assert.equal(totals.journeysStarted, single.totals.journeysStarted, '4 + 4 journeys/s = 8');
    const ratio = totals.requests / single.totals.requests;
    assert.ok(ratio > 0.8 && ratio < 1.25, `${totals.requests} vs ${single.totals.requests}`);
    assert.equal(totals.errors, 0, JSON.stringify(totals.errorsByKind));
    assert.equal(totals.sessionsStarted, totals.journeysStarted, 'no user name taken twice');
    // Counts merge exactly: parts, series and totals agree.
    assert.deepEqual(
      split.parts.map((part) => part.requests > 0),
      [true, true],
    );
    assert.equal(
      split.parts.reduce((sum, part) => sum + part.requests, 0),
      totals.requests,
    );
    const merged = await readSeries(dir, 'two');
    const parts = await Promise.all([readSeries(dir, 'two.part-1'), readSeries(dir, 'two.part-2')]);
    assert.equal(
      merged.reduce((sum, point) => sum + point.requests, 0),
      totals.requests,
    );
    for (const point of merged) {
      const same = parts.flatMap((series) => series.filter((p) => p.t === point.t));
      assert.equal(
        point.requests,
        same.reduce((sum, p) => sum + p.requests, 0),
      );
      // A merged percentile lies within the parts' (1 % for the histograms' rounding).
      const p50s = same.map((p) => p.p50Ms!).filter((v) => v !== null);
      assert.ok(
        point.p50Ms! >= Math.min(...p50s) * 0.99 && point.p50Ms! <= Math.max(...p50s) * 1.01,
      );
    }
    assert.ok(live.length >= 3, 'the live line got merged seconds');
    assert.ok(
      parts.every((series) => series.length >= 3),
      'each part wrote its own series',
    );
  });

  it('sticky, a node disabled mid-run: its sessions are misrouted, and that lowers the home share', async () => {
    const disabled = duringLoad('disable', 'node-1');
    const run = await runLoadgen(
      dir,
      'misrouted',
      {
        ...base,
        rate: 6,
        durationMs: 4000,
        steps: 20,
        thinkMs: 100,
        strategy: 'sticky',
        journey: 'shop',
        model: 'open',
      },
      disabled.start,
    );
    await disabled.done();
    await runChaos(chaos(), 'enable', 'node-1');
    await waitNodeState(topology.state, 'node-1', 'up');
    assert.equal(run.code, 0, run.stderr);
    const totals = run.totals!;
    // Sessions that lived on node-1 are sent elsewhere and answered 401 there: lost, and misrouted.
    assert.ok(totals.sessionsLost > 0, `sessions lost ${totals.sessionsLost}`);
    assert.ok(
      totals.pinnedServed! < totals.pinnedTotal!,
      `${totals.pinnedServed}/${totals.pinnedTotal}`,
    );
    // Under sticky only a misrouted request is answered by another node, and it is answered 401.
    assert.equal(totals.pinnedTotal! - totals.pinnedServed!, totals.sessionsLost);
    assert.equal(misrouted(totals), totals.sessionsLost);
    const held = totals.heldAnswersByNode!;
    assert.ok(held['node-1']!.answers > 0 && held['node-1']!.answers === held['node-1']!.home);
    assert.equal(totals.sessionsLostByNode['node-1'], totals.sessionsLost, 'all lived on node-1');
    process.stdout.write(
      `      misrouted: home share ${totals.pinnedServed}/${totals.pinnedTotal}, by node ${JSON.stringify(held)}\n`,
    );
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
    await switchTo('redis:lww');
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
    await switchTo('redis:cas');
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

  it('request journey, a node paused: one request per arrival; its timeouts are in the p99 and counted', async () => {
    const paused = duringLoad('pause', 'node-2', 3000);
    const run = await runLoadgen(
      dir,
      'paused',
      {
        ...base,
        strategy: 'redis:cas',
        journey: 'request',
        model: 'open',
        rate: 20,
        vus: 40,
        durationMs: 6000,
        timeoutMs: 800,
      },
      paused.start,
    );
    await paused.done();
    assert.equal(run.code, 0, run.stderr);
    const totals = run.totals!;
    // The open model per request: 20 arrivals a second, each one request (no session is lost under redis).
    assert.equal(totals.journeysStarted + totals.dropped, 120);
    assert.equal(totals.dropped, 0, JSON.stringify(totals.droppedBy));
    assert.equal(totals.requests, totals.journeysStarted, 'one request per arrival');
    assert.ok(
      run.series.slice(0, 5).every((point) => point.journeysStarted === 20),
      run.series.map((point) => point.journeysStarted).join(' '),
    );
    assert.equal(totals.setup?.loggedIn, 40, 'the pool logged in before t = 0');
    // The paused node's requests time out at 800 ms (the balancer waits 10 s) until it is ejected.
    const timeouts = totals.errorsByKind.timeout ?? 0;
    assert.ok(timeouts >= 3, JSON.stringify(totals.errorsByKind));
    assert.equal(
      totals.failedRate,
      Math.round((totals.errors / totals.requests) * 10_000) / 10_000,
    );
    const all = totals.latencyMs;
    const success = totals.successLatencyMs!;
    assert.ok(all.p99! >= 800, `all p99 ${all.p99}: the timeouts are in it`);
    assert.ok(success.p99! < 800 && success.p99! < all.p99!, `success p99 ${success.p99}`);
    const worst = run.series.reduce((max, point) => Math.max(max, point.p99Ms ?? 0), 0);
    assert.ok(worst >= 800, `the worst second's p99 ${worst}`);
    assert.deepEqual(
      [totals.settings?.timeoutMs, totals.settings?.balancerUpstreamTimeoutMs],
      [800, 10_000],
    );
    process.stdout.write(
      `      paused node: ${totals.requests} requests, ${timeouts} timeouts, p99 all ${all.p99} ms, p99 success ${success.p99} ms\n`,
    );
  });

  it('redis:lww, concurrency, a node paused: uncertain writes, and lost updates still bounded from below', async () => {
    await switchTo('redis:lww');
    const paused = duringLoad('pause', 'node-3', 2500);
    const run = await runLoadgen(
      dir,
      'uncertain',
      { ...concurrency('redis:lww'), vus: 4, steps: 40, durationMs: 5000, timeoutMs: 600 },
      paused.start,
    );
    await paused.done();
    assert.equal(run.code, 0, run.stderr);
    const totals = run.totals!;
    assert.ok(totals.uncertainWrites! > 0, `uncertain writes ${totals.uncertainWrites}`);
    assert.ok(totals.uncertainRounds! > 0, `uncertain rounds ${totals.uncertainRounds}`);
    assert.ok(totals.lostUpdates > 0, 'lww loses updates in the rounds of known fate');
    // The rounds with an uncertain write still prove updates lost (accepted − grew).
    assert.ok(
      totals.lostUpdatesLowerBound! > totals.lostUpdates,
      `bound ${totals.lostUpdatesLowerBound}, exact ${totals.lostUpdates}`,
    );
    process.stdout.write(
      `      lww paused: ${totals.uncertainWrites} uncertain writes in ${totals.uncertainRounds} rounds, lost updates ${totals.lostUpdates} exact, at least ${totals.lostUpdatesLowerBound}\n`,
    );
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

  it('jwt, every node out of the balancer for 1 s: refreshes answered 503 are retried with the same token, no session lost', async () => {
    topology.state.tuning = { jwtAccessTtlSeconds: 3 };
    await switchTo('jwt');
    const { adminUrl, adminToken } = topology.state.balancer;
    const nodes = topology.state.nodes.map((node) => node.id);
    const all = (verb: 'disable' | 'enable') =>
      Promise.all(
        nodes.map((id) => balancerAdmin(adminUrl, adminToken, 'POST', `/nodes/${id}/${verb}`)),
      );
    let outage: Promise<unknown> = Promise.resolve();
    const run = await runLoadgen(
      dir,
      'jwt-outage',
      {
        ...base,
        strategy: 'jwt',
        journey: 'shop',
        model: 'open',
        rate: 8,
        durationMs: 5000,
        steps: 30,
        thinkMs: 150,
        // Tries at 0, 0.1, 0.3, 0.7, 1.5 and 3.1 s after the first failure: they outlast the outage.
        refreshRetry: { retries: 5, windowMs: 4000 },
      },
      () => {
        // From t = 2 s, when about 16 sessions refresh every 1.5 s. The balancer answers 503
        // itself: no node sees the refresh, so its token is still good.
        outage = sleep(1000)
          .then(() => all('disable'))
          .then(() => sleep(1000))
          .finally(() => all('enable'))
          .catch((error: unknown) => error);
      },
    );
    const failed = await outage;
    assert.ok(!(failed instanceof Error), String(failed));
    for (const id of nodes) await waitNodeState(topology.state, id, 'up');
    assert.equal(run.code, 0, run.stderr);
    const totals = run.totals!;
    assert.ok((totals.errorsByKind['503'] ?? 0) > 0, JSON.stringify(totals.errorsByKind));
    assert.ok(totals.refreshRetries! > 0, `refresh retries ${totals.refreshRetries}`);
    assert.deepEqual(
      {
        sessionsLost: totals.sessionsLost,
        refreshFailures: totals.refreshFailures,
        refreshRevokedByReuse: totals.refreshRevokedByReuse,
        refreshLost: totals.refreshLost,
      },
      { sessionsLost: 0, refreshFailures: 0, refreshRevokedByReuse: 0, refreshLost: 0 },
    );
    assert.equal(totals.settings?.refreshRetry.retries, 5);
    process.stdout.write(
      `      jwt outage: ${totals.refreshes} refreshes, ${totals.refreshRetries} retries, errors ${JSON.stringify(totals.errorsByKind)}\n`,
    );
  });

  it('jwt (still 3 s tokens), a node killed mid-run: refreshes go on and no session is lost', async () => {
    topology.state.tuning = { jwtAccessTtlSeconds: 3 };
    await switchTo('jwt');
    const killed = duringLoad('kill', 'node-1');
    const run = await runLoadgen(
      dir,
      'jwt-kill',
      {
        ...base,
        strategy: 'jwt',
        journey: 'shop',
        model: 'open',
        rate: 4,
        durationMs: 6000,
        steps: 30,
        thinkMs: 150,
      },
      killed.start,
    );
    await killed.done();
    assert.equal(run.code, 0, run.stderr);
    const totals = run.totals!;
    assert.ok(totals.refreshes >= 5, `refreshes ${totals.refreshes}`);
    assert.deepEqual(
      {
        sessionsLost: totals.sessionsLost,
        refreshFailures: totals.refreshFailures,
        refreshRevokedByReuse: totals.refreshRevokedByReuse,
        refreshLost: totals.refreshLost,
      },
      { sessionsLost: 0, refreshFailures: 0, refreshRevokedByReuse: 0, refreshLost: 0 },
      `retried ${totals.refreshRetries}; errors ${JSON.stringify(totals.errorsByKind)}`,
    );
    process.stdout.write(
      `      jwt kill: ${totals.refreshes} refreshes, ${totals.refreshRetries} retried, errors ${JSON.stringify(totals.errorsByKind)}\n`,
    );
  });
});
