// Runs nodes/main.ts as a real process: configuration errors, the listening
// line, and graceful shutdown. Every wait is bounded.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../../lab/process/ports.ts';

const MAIN = fileURLToPath(new URL('../../../nodes/main.ts', import.meta.url));
const ENV = { NODE_ID: 'node-main', PORT: '0', NODE_ADMIN_TOKEN: 'main-test-token-123' };

interface Started {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

const children: ChildProcess[] = [];

function run(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => stdout.push(...lines(chunk)));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(...lines(chunk)));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, stdout, stderr, exited };
}

function lines(chunk: string): string[] {
  return chunk.split('\n').filter((line) => line !== '');
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for the JSON "listening" line and returns the port from it. */
async function listeningPort(started: Started): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const line = started.stdout.find((l) => l.includes('"msg":"listening"'));
    if (line) return (JSON.parse(line) as { port: number }).port;
    if (started.child.exitCode !== null) assert.fail(`exited early: ${started.stderr.join('\n')}`);
    if (Date.now() > deadline) assert.fail('no "listening" line within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('nodes/main', function () {
  this.timeout(20_000);

  afterEach(() => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('exits 2 with one line on stderr naming the bad variable', async () => {
    const started = run({ ...ENV, PORT: 'eighty' });
    const [code] = await within(started.exited, 10_000, 'exit');
    assert.equal(code, 2);
    assert.equal(started.stderr.length, 1, started.stderr.join('\n'));
    assert.match(
      started.stderr[0] ?? '',
      /^invalid node configuration: PORT must be a whole number/,
    );
  });

  it('exits 2 with one line naming the bad variables of the node and of its strategy', async () => {
    const started = run({ ...ENV, PORT: 'eighty', NODE_STRATEGY_CONFIG: '{"name":"memcached"}' });
    const [code] = await within(started.exited, 10_000, 'exit');
    assert.equal(code, 2);
    assert.equal(started.stderr.length, 1, started.stderr.join('\n'));
    assert.match(
      started.stderr[0] ?? '',
      /^invalid node configuration: PORT must be a whole number/,
    );
    assert.match(started.stderr[0] ?? '', /NODE_STRATEGY_CONFIG is invalid: name: must be one of/);
  });

  it('exits 1 when its first strategy cannot start (Redis unreachable)', async () => {
    const port = await freePort();
    const started = run({
      ...ENV,
      NODE_STRATEGY_CONFIG: JSON.stringify({
        name: 'redis',
        redis: { url: `redis://127.0.0.1:${port}` },
      }),
    });
    const [code] = await within(started.exited, 10_000, 'exit');
    assert.equal(code, 1);
    assert.ok(started.stdout.some((line) => line.includes('could not start the session strategy')));
  });

  it('starts with the strategy of NODE_STRATEGY_CONFIG', async () => {
    const secret = randomBytes(32).toString('base64url');
    const started = run({
      ...ENV,
      NODE_STRATEGY_CONFIG: JSON.stringify({
        name: 'cookie',
        cookie: { keys: [{ id: 'k1', secret }] },
      }),
    });
    const port = await listeningPort(started);
    const status = await fetch(`http://127.0.0.1:${port}/admin/status`, {
      headers: { Authorization: `Bearer ${ENV.NODE_ADMIN_TOKEN}` },
    });
    const body = (await status.json()) as { strategy: string; variant: string };
    assert.deepEqual([body.strategy, body.variant], ['cookie', 'aes-256-gcm']);
    assert.ok(!started.stdout.join('\n').includes(secret), 'the key is never logged');
    started.child.kill('SIGTERM');
    const [code] = await within(started.exited, 10_000, 'exit');
    assert.equal(code, 0);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`logs "listening" with its port, serves, and exits 0 promptly on ${signal}`, async () => {
      const started = run(ENV);
      const port = await listeningPort(started);
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('X-Served-By'), 'node-main');
      assert.equal(response.headers.get('Keep-Alive'), 'timeout=65');
      await response.text();

      // The idle keep-alive connection fetch keeps must not delay the exit.
      const stopAt = performance.now();
      started.child.kill(signal);
      const [code] = await within(started.exited, 10_000, 'exit');
      assert.equal(code, 0);
      assert.ok(performance.now() - stopAt < 4_000, 'did not wait out the grace period');
      assert.ok(started.stdout.some((line) => line.includes('"msg":"stopped"')));
    });
  }

  it('lets an in-flight request finish before exiting', async () => {
    const started = run(ENV);
    const port = await listeningPort(started);
    const body = JSON.stringify({ user: 'alice', password: 'secret' });
    const inFlight = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/login',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    });
    const answered = once(inFlight, 'response');
    await once(inFlight, 'socket');
    inFlight.flushHeaders();
    // Half the body, so the server is inside the request when the signal comes.
    await new Promise<void>((resolve, reject) =>
      inFlight.write(body.slice(0, 10), (error) => (error ? reject(error) : resolve())),
    );
    // A full round trip on another connection: the server has read the first one by now.
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);

    started.child.kill('SIGTERM');
    await within(
      new Promise<void>((resolve) => {
        const check = () =>
          started.stdout.some((line) => line.includes('"msg":"stopping"'))
            ? resolve()
            : setTimeout(check, 10);
        check();
      }),
      5_000,
      'stopping line',
    );
    inFlight.end(body.slice(10));
    const [response] = (await within(answered, 5_000, 'response')) as [IncomingMessage];
    assert.equal(response.statusCode, 200);
    response.resume();
    // Well before the 5 s grace period: the connection closes once it is idle.
    const [code] = await within(started.exited, 2_000, 'exit after the response');
    assert.equal(code, 0);
  });
});
