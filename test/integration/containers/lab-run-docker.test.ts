// `lab run --engine docker` as a user runs it: the CLI on a small scenario,
// each strategy on its own compose project, a node killed with `docker kill`
// during the load and started again, the same run folder as the process engine. What users
// rely on: sticky loses the killed node's sessions and no others, redis
// loses none, and no container is left afterwards.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { docker } from '../../../lab/engine/docker/cli.ts';
import { ROOT } from '../../../lab/paths.ts';
import type { RunSummary, StrategySummary } from '../../../report/summary-schema.ts';
import { engineUnavailable, startEngine, type TestEngine } from './engine.ts';

const execFileAsync = promisify(execFile);
const LAB = path.join(ROOT, 'bin', 'lab.js');
const unavailable = engineUnavailable();

describe('lab run --engine docker', function () {
  this.timeout(120_000);
  let testEngine: TestEngine;
  let dir: string;
  let result: { code: number; stdout: string; stderr: string };
  let summary: RunSummary;

  before(async function () {
    if (unavailable) {
      // Said, and counted as pending in the summary: never a silent pass.
      process.stdout.write(`      (not run: no container engine here: ${unavailable})\n`);
      this.skip();
    }
    // Images built once (a clean clone takes minutes); the run itself is bounded below.
    this.timeout(20 * 60_000);
    testEngine = await startEngine({ hazelcast: false });
    dir = await mkdtemp(path.join(os.tmpdir(), 'lab-run-docker-'));
    const file = path.join(dir, 'it-docker.json');
    await writeFile(
      file,
      JSON.stringify({
        name: 'it-docker',
        strategies: ['sticky', 'redis'],
        topology: { nodes: 3 },
        load: { rate: 3, durationS: 10, warmupS: 0 },
        // Started again mid-load: a node container boots on its compose file's
        // strategy, so under redis it must be given the current one, or the
        // sessions it serves afterwards are lost (seen before that was done).
        chaos: [
          { at: '2s', action: 'kill', target: 'node-2' },
          { at: '4s', action: 'start', target: 'node-2' },
        ],
        probes: { enabled: false },
      }),
    );
    const runsDir = path.join(dir, 'runs');
    const started = performance.now();
    try {
      const { stdout, stderr } = await execFileAsync(
        process.execPath,
        [LAB, 'run', file, '--engine', 'docker', '--out', runsDir],
        // The CLI joins the test's daemon: it finds it on the lab's socket.
        { timeout: 110_000 },
      );
      result = { code: 0, stdout, stderr };
    } catch (error) {
      const failure = error as { code: number; stdout: string; stderr: string };
      result = { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
    }
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    process.stdout.write(`      (lab run --engine docker took ${seconds} s)\n`);
    const [runDir] = await readdir(runsDir);
    assert.ok(runDir, `a run folder in ${runsDir}: ${result.stderr}${result.stdout}`);
    summary = JSON.parse(
      await readFile(path.join(runsDir, runDir, 'summary.json'), 'utf8'),
    ) as RunSummary;
  });

  after(async function () {
    if (!testEngine) return;
    this.timeout(120_000);
    try {
      const left = await docker(testEngine.daemon, ['ps', '--all', '--quiet']);
      assert.equal(left, '', 'the run removes every container it started');
    } finally {
      await testEngine.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  });

  function strategy(name: string): StrategySummary {
    const found = summary.strategies.find((entry) => entry.strategy === name);
    assert.ok(found, `${name} in summary.json`);
    return found;
  }

  it('completes with exit status 0 and both strategies measured', () => {
    assert.equal(result.code, 0, result.stderr + result.stdout);
    assert.match(result.stdout, /as containers/);
    assert.equal(summary.outcome, 'completed');
    assert.deepEqual(
      summary.strategies.map((entry) => entry.strategy),
      ['sticky', 'redis:cas'],
    );
    for (const entry of summary.strategies) {
      assert.deepEqual(
        entry.events.map((event) => [event.action, event.status]),
        [
          ['kill', 'done'],
          ['start', 'done'],
        ],
        entry.events.map((event) => event.detail).join('; '),
      );
      assert.ok(entry.totals.requests > 0, `${entry.strategy}: requests were measured`);
    }
  });

  it("sticky loses only node-2's sessions; redis loses none", () => {
    const sticky = strategy('sticky');
    assert.ok(sticky.totals.sessionsLost > 0, 'sticky: sessions pinned to node-2 are lost');
    assert.deepEqual(Object.keys(sticky.totals.sessionsLostByNode ?? {}), ['node-2']);
    const redis = strategy('redis:cas');
    assert.equal(redis.totals.sessionsLost, 0, 'redis: sessions live in Redis');
    // node-2, started again, served sessions it must find in Redis.
    const startedAt = redis.events.find((event) => event.action === 'start')?.t ?? Infinity;
    const servedAfter = redis.timeline
      .filter((point) => point.t > startedAt)
      .reduce((sum, point) => sum + (point.servedBy['node-2'] ?? 0), 0);
    assert.ok(servedAfter > 0, 'node-2 served again after its start');
  });

  it('leaves no container behind', async () => {
    const left = await docker(testEngine.daemon, ['ps', '--all', '--quiet']);
    assert.equal(left, '');
  });
});
