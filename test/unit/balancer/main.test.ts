// The entry point as a process: exit codes, the "listening" line, and a
// graceful stop on SIGTERM.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestNode } from './helpers.ts';
import { ADMIN_TOKEN, STICKY_SECRET, send, startNode, waitFor } from './helpers.ts';

const MAIN = fileURLToPath(new URL('../../../balancer/main.ts', import.meta.url));

interface Run {
  child: ChildProcess;
  stdout: string;
  stderr: string;
  exit: Promise<number | null>;
}

function run(configPath?: string): Run {
  const child = spawn(process.execPath, [MAIN, ...(configPath ? [configPath] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result: Run = {
    child,
    stdout: '',
    stderr: '',
    exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stdout.on('data', (c: Buffer) => (result.stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (result.stderr += c.toString()));
  return result;
}

describe('balancer main', () => {
  let dir: string;
  let node: TestNode;
  let running: Run | undefined;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'balancer-main-'));
    node = await startNode('a');
  });

  afterEach(async () => {
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGKILL');
      await running.exit;
    }
    running = undefined;
  });

  after(async () => {
    await node.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('exits 2 with one clear stderr line on a bad config', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ admin: { token: 'short' }, nodes: [] }));
    running = run(path);
    assert.equal(await running.exit, 2);
    const lines = running.stderr.trim().split('\n');
    assert.equal(lines.length, 1, running.stderr);
    assert.match(lines[0]!, /bad\.json.*admin\.token: must be at least 16 characters/);
    assert.match(lines[0]!, /nodes: must list at least one node/);
  });

  it('exits 2 with usage when no config is given', async () => {
    running = run();
    assert.equal(await running.exit, 2);
    assert.match(running.stderr, /usage: node balancer\/main\.ts CONFIG\.json/);
  });

  it('logs "listening" with both URLs, proxies, and exits 0 on SIGTERM', async () => {
    const path = join(dir, 'good.json');
    await writeFile(
      path,
      JSON.stringify({
        listen: { port: 0 },
        admin: { port: 0, token: ADMIN_TOKEN },
        sticky: { secret: STICKY_SECRET },
        nodes: [{ id: 'a', url: node.url }],
      }),
    );
    running = run(path);
    const r = running;
    await waitFor(() => r.stdout.includes('"msg":"listening"'), 'the listening line', 10_000);
    const line = r.stdout.split('\n').find((l) => l.includes('"msg":"listening"'))!;
    const { url, adminUrl } = JSON.parse(line) as { url: string; adminUrl: string };
    assert.equal((await send(`${url}/me`)).headers['x-served-by'], 'a');
    assert.equal((await send(`${adminUrl}/healthz`)).status, 200);

    r.child.kill('SIGTERM');
    assert.equal(await r.exit, 0);
    assert.match(r.stdout, /"msg":"stopped"/);
    assert.equal(r.stderr, '', 'nothing but JSON log lines');
    for (const l of r.stdout.trim().split('\n')) JSON.parse(l);
  });
});
