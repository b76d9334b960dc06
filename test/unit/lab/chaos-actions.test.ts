// The process actions against real, tiny processes: a node stand-in that
// answers /healthz, and an unrelated `sleep` the lab must never touch.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runChaos, type ChaosContext } from '../../../lab/chaos/index.ts';
import { LabError } from '../../../lab/errors.ts';
import { freePort } from '../../../lab/process/ports.ts';
import {
  processState,
  spawnService,
  stopService,
  type ServiceSpec,
} from '../../../lab/process/supervisor.ts';
import { readState, type LabState } from '../../../lab/topology/state.ts';
import { waitFor } from '../../../lab/process/wait.ts';

// CommonJS on purpose: the file sits in a temp folder without a package.json.
const FAKE_NODE = `require('node:http')
  .createServer((req, res) => res.end('ok'))
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

describe('chaos actions on real processes', function () {
  this.timeout(20000);
  let dir: string;
  let state: LabState;
  let context: ChaosContext;
  let stranger: ChildProcess | undefined;

  const node = () => state.nodes[0]!;
  const events = async () =>
    (await readFile(path.join(dir, 'events.ndjson'), 'utf8'))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const rejectsWith = (code: string) => (error: unknown) =>
    error instanceof LabError && error.code === code;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'lab-chaos-'));
    const script = path.join(dir, 'fake-node.js');
    await writeFile(script, FAKE_NODE);
    const port = await freePort();
    const spec: ServiceSpec = {
      name: 'node-1',
      command: script,
      args: [],
      env: { PORT: String(port) },
      logFile: path.join(dir, 'node-1.log'),
    };
    const pid = spawnService(spec, { detached: false });
    const url = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${url}/healthz`)).ok, {
      timeoutMs: 5000,
      what: 'the fake node',
    });
    state = {
      version: 1,
      startedAt: new Date().toISOString(),
      strategy: 'sticky',
      // Nothing listens there: the node target reports that instead of failing.
      balancer: {
        url: 'http://127.0.0.1:1',
        adminUrl: 'http://127.0.0.1:1',
        adminToken: 't',
        pid: 0,
        spec,
      },
      nodeAdminToken: 't',
      nodes: [{ id: 'node-1', url, pid, spec }],
    };
    context = { stateDir: dir, state, detached: false };
  });

  afterEach(async () => {
    await stopService(node().pid, node().spec, 1000);
    stranger?.kill('SIGKILL');
    stranger = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('kills a node it started, says what that costs, and records the event', async () => {
    const { pid } = node();
    const outcome = await runChaos(context, 'kill', 'node-1');
    assert.deepEqual([outcome.before, outcome.after, outcome.pid], ['running', 'dead', pid]);
    assert.match(outcome.detail, /sessions lived in its memory \(sticky\): lost/);
    assert.equal(await processState(pid), 'dead');
    const [event] = await events();
    assert.equal(event!.type, 'chaos');
    assert.equal(event!.action, 'kill');
    assert.equal(event!.target, 'node-1');
    assert.equal(event!.pid, pid);
    assert.equal(typeof event!.at, 'string');
  });

  it('never signals a recorded pid that now runs something else', async () => {
    stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    const ours = node().pid;
    node().pid = stranger.pid!;
    try {
      await assert.rejects(runChaos(context, 'kill', 'node-1'), rejectsWith('NOT_RUNNING'));
      await assert.rejects(runChaos(context, 'pause', 'node-1'), rejectsWith('NOT_RUNNING'));
      assert.equal(await processState(stranger.pid!), 'running', 'the stranger is untouched');
      const failed = await events();
      assert.deepEqual(
        failed.map((e) => e.error),
        ['NOT_RUNNING', 'NOT_RUNNING'],
      );
    } finally {
      node().pid = ours;
    }
  });

  it('pauses and resumes, and refuses what does not fit the state', async () => {
    await assert.rejects(runChaos(context, 'resume', 'node-1'), rejectsWith('WRONG_STATE'));
    const paused = await runChaos(context, 'pause', 'node-1');
    assert.equal(paused.after, 'paused');
    assert.equal(await processState(node().pid), 'paused');
    await assert.rejects(runChaos(context, 'start', 'node-1'), rejectsWith('WRONG_STATE'));
    const resumed = await runChaos(context, 'resume', 'node-1');
    assert.deepEqual([resumed.before, resumed.after], ['paused', 'running']);
    const timed = await runChaos(context, 'pause', 'node-1', { forMs: 100 });
    assert.deepEqual([timed.before, timed.after], ['running', 'running']);
    assert.match(timed.detail, /paused for 100 ms, then resumed/);
  });

  it('an interrupted timed pause leaves the process running', async () => {
    const controller = new AbortController();
    const pausing = runChaos({ ...context, signal: controller.signal }, 'pause', 'node-1', {
      forMs: 60_000,
    });
    await waitFor(async () => (await processState(node().pid)) === 'paused', {
      timeoutMs: 5000,
      what: 'the node to be paused',
    });
    controller.abort();
    await assert.rejects(pausing, rejectsWith('INTERRUPTED'));
    assert.equal(await processState(node().pid), 'running');
  });

  it('stops gracefully, then starts again and records the new pid in the state file', async () => {
    const first = node().pid;
    const stopped = await runChaos(context, 'stop', 'node-1');
    assert.match(stopped.detail, /exited on SIGTERM/);
    const started = await runChaos(context, 'start', 'node-1');
    assert.notEqual(started.pid, first);
    assert.equal(started.previousPid, first);
    assert.equal(node().pid, started.pid, 'the in-memory state follows');
    assert.equal((await readState(dir))?.nodes[0]?.pid, started.pid, 'so does the state file');
    assert.equal(await processState(started.pid!), 'running');
    assert.match(started.detail, /admin API .* does not answer/);
    const restarted = await runChaos(context, 'restart', 'node-1');
    assert.deepEqual([restarted.before, restarted.after], ['running', 'running']);
    assert.equal(await processState(started.pid!), 'dead');
    assert.equal((await readState(dir))?.nodes[0]?.pid, restarted.pid);
  });
});
