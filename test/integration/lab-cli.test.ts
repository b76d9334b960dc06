import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { StatusReport } from '../../lab/commands/status.ts';
import { ROOT } from '../../lab/paths.ts';
import { assertPortFree, freePort } from '../../lab/process/ports.ts';
import { processState } from '../../lab/process/supervisor.ts';
import { waitFor } from '../../lab/process/wait.ts';

const execFileAsync = promisify(execFile);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
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

describe('the lab CLI (up, status, kill, start, down)', function () {
  this.timeout(60000);
  let stateDir: string;
  let port: number;

  async function lab(...args: string[]): Promise<CliResult> {
    try {
      const { stdout, stderr } = await execFileAsync(
        process.execPath,
        [path.join(ROOT, 'bin', 'lab.js'), ...args],
        { env: { ...process.env, LAB_STATE_DIR: stateDir }, timeout: 45000 },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failure = error as { code: number; stdout: string; stderr: string };
      return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
    }
  }

  async function statusJson(): Promise<StatusReport> {
    const result = await lab('status', '--json');
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as StatusReport;
  }

  before(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'lab-cli-'));
    port = await freePortPair();
  });

  after(async () => {
    await lab('down');
    await rm(stateDir, { recursive: true, force: true });
  });

  it('starts a topology in the background and reports it as JSON', async () => {
    const result = await lab('up', '--nodes', '2', '--port', String(port));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`balancer\\s+http://127.0.0.1:${port}`));

    const report = await statusJson();
    assert.equal(report.strategy, 'sticky');
    assert.equal(report.balancer.url, `http://127.0.0.1:${port}`);
    assert.deepEqual(
      report.nodes.map((node) => [node.id, node.state, node.sessions]),
      [
        ['node-1', 'running', 0],
        ['node-2', 'running', 0],
      ],
    );
    const response = await fetch(`${report.balancer.url}/healthz`);
    assert.equal(response.status, 200);
    await response.body?.cancel();
  });

  it('refuses a second up, an unknown node and a busy port with one clear line', async () => {
    const again = await lab('up', '--port', String(port));
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already running.*lab down/);

    const unknown = await lab('kill', 'node-9');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown node "node-9".*node-1, node-2/);

    const otherDir = await mkdtemp(path.join(os.tmpdir(), 'lab-cli-busy-'));
    try {
      const { stdout, stderr, code } = await (async () => {
        try {
          const out = await execFileAsync(
            process.execPath,
            [path.join(ROOT, 'bin', 'lab.js'), 'up', '--port', String(port)],
            { env: { ...process.env, LAB_STATE_DIR: otherDir }, timeout: 30000 },
          );
          return { ...out, code: 0 };
        } catch (error) {
          return error as CliResult;
        }
      })();
      assert.equal(code, 1, stdout);
      assert.match(stderr, new RegExp(`port ${port} .* already in use`));
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('kills, restarts, pauses and resumes a node by hand', async () => {
    const killed = await lab('kill', 'node-2');
    assert.equal(killed.code, 0, killed.stderr);
    assert.equal((await statusJson()).nodes[1]?.state, 'dead');

    const started = await lab('start', 'node-2');
    assert.equal(started.code, 0, started.stderr);
    assert.equal((await statusJson()).nodes[1]?.state, 'running');

    assert.equal((await lab('pause', 'node-1')).code, 0);
    assert.equal((await statusJson()).nodes[0]?.state, 'paused');
    assert.equal((await lab('resume', 'node-1')).code, 0);
    assert.equal((await statusJson()).nodes[0]?.state, 'running');
  });

  it('switches the strategy live, starting the store it needs, and refuses unknown ones', async () => {
    const before = await statusJson();
    const switched = await lab('strategy', 'redis:lww', '--redis-persistence', 'aof-everysec');
    assert.equal(switched.code, 0, switched.stderr);
    const after = await statusJson();
    assert.equal(after.strategy, 'redis');
    assert.equal(after.variant, 'lww');
    assert.equal(after.balancer.policy, 'round-robin');
    assert.deepEqual(
      after.services.map((service) => [service.id, service.state]),
      [
        ['redis', 'running'],
        ['toxiproxy', 'running'],
      ],
    );
    assert.deepEqual(
      after.nodes.map((node) => node.pid),
      before.nodes.map((node) => node.pid),
      'no node was restarted',
    );

    const unknown = await lab('strategy', 'memcached');
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown strategy "memcached".*sticky, redis, clustered/);
    const clash = await lab('strategy', 'redis', '--redis-persistence', 'none');
    assert.equal(clash.code, 1);
    assert.match(clash.stderr, /already runs with persistence aof-everysec/);
  });

  it('Ctrl-C during up stops what it had started', async () => {
    const otherDir = await mkdtemp(path.join(os.tmpdir(), 'lab-cli-int-'));
    try {
      const child = spawn(
        process.execPath,
        [path.join(ROOT, 'bin', 'lab.js'), 'up', '--port', String(await freePortPair())],
        {
          env: { ...process.env, LAB_STATE_DIR: otherDir },
          stdio: 'ignore',
        },
      );
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const logs = path.join(otherDir, 'logs');
      // Interrupt once the first node is up, before the balancer is.
      const pids = await waitFor(
        async () => {
          const text = await readFile(path.join(logs, 'node-1.log'), 'utf8').catch(() => '');
          const pid = /"pid":(\d+).*"msg":"listening"/.exec(text)?.[1];
          return pid ? [Number(pid)] : undefined;
        },
        { timeoutMs: 20000, what: 'node-1 to listen' },
      );
      child.kill('SIGINT');
      assert.equal(await exited, 130);
      await waitFor(async () => (await processState(pids[0]!)) === 'dead', {
        timeoutMs: 10000,
        what: 'node-1 to be stopped',
      });
      await assert.rejects(readFile(path.join(otherDir, 'state.json')), 'no state is left');
    } finally {
      await rm(otherDir, { recursive: true, force: true });
    }
  });

  it('down leaves no process and no listening port behind', async () => {
    const report = await statusJson();
    assert.equal((await lab('pause', 'node-1')).code, 0, 'down must also stop a paused node');
    const result = await lab('down');
    assert.equal(result.code, 0, result.stderr);
    const pids = [
      report.balancer.pid,
      ...report.nodes.map((node) => node.pid),
      ...report.services.map((service) => service.pid),
    ];
    assert.equal(report.services.length, 2, 'redis and toxiproxy, started by the switch, stop too');
    const states = await Promise.all(pids.map(processState));
    assert.deepEqual(
      states,
      pids.map(() => 'dead'),
    );
    const refused = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    assert.equal(refused, true, `nothing listens on ${port} any more`);
    assert.match((await lab('status')).stderr, /no topology is running/);
    // The nodes' token and strategy files (keys, the Redis password) go with it.
    await assert.rejects(access(path.join(stateDir, 'secrets')), { code: 'ENOENT' });
  });
});
