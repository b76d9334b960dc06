import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../../lab/process/ports.ts';
import { refuseOpenRedis, RedisServer } from '../../../../lab/services/redis-server.ts';
import { toolNamed } from '../../../../lab/tools/index.ts';
import { waitFor } from '../../../../lab/process/wait.ts';
import { answersWithoutPassword } from '../../../../store/redis/probe.ts';
import { RedisSessionStore } from '../../../../store/redis/session-store.ts';
import { redisCli } from '../../redis-cli.ts';

describe('Redis as the lab starts it: ACL users, no way in without a password', function () {
  this.timeout(30000);
  let root: string;
  let server: RedisServer;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'redis-auth-it-'));
    server = await RedisServer.start({ dir: path.join(root, 'redis'), detached: false });
  });

  after(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('refuses redis-cli without the password (NOAUTH) and with a wrong one (WRONGPASS)', async () => {
    assert.match(await redisCli(server.port, undefined, 'PING'), /NOAUTH/);
    assert.match(await redisCli(server.port, undefined, 'SET', 'sl:sess:forged', '{}'), /NOAUTH/);
    const wrong = { username: server.users.app.username, password: 'guessed-password' };
    assert.match(await redisCli(server.port, wrong, 'PING'), /WRONGPASS/);
    // The default user is off whatever password is tried.
    const asDefault = { username: 'default', password: '' };
    assert.match(await redisCli(server.port, asDefault, 'PING'), /WRONGPASS/);
  });

  it("lets the nodes' user work on session keys, and nothing administrative", async () => {
    const app = server.users.app;
    assert.equal(await redisCli(server.port, app, 'SET', 'sl:sess:test', '{}'), 'OK');
    assert.equal(await redisCli(server.port, app, 'GET', 'sl:sess:test'), '{}');
    assert.match(await redisCli(server.port, app, 'SET', 'elsewhere', '1'), /NOPERM/);
    assert.match(await redisCli(server.port, app, 'CONFIG', 'GET', 'dir'), /NOPERM/);
    assert.match(await redisCli(server.port, app, 'ACL', 'LIST'), /NOPERM/);
  });

  it("lets the lab's probe user read INFO and DBSIZE, and no key", async () => {
    const probe = server.users.probe;
    assert.equal(await redisCli(server.port, probe, 'PING'), 'PONG');
    assert.match(await redisCli(server.port, probe, 'INFO', 'memory'), /^used_memory:\d+$/m);
    assert.match(await redisCli(server.port, probe, 'DBSIZE'), /^\d+$/);
    assert.match(await redisCli(server.port, probe, 'GET', 'sl:sess:test'), /NOPERM/);
  });

  it('keeps the passwords off the command line and in files only its user can read', async () => {
    const cmdline = await readFile(`/proc/${server.pid}/cmdline`, 'utf8');
    for (const { password } of [server.users.app, server.users.probe]) {
      assert.ok(!cmdline.includes(password), 'no password in the command line');
    }
    const config = path.join(server.dir, 'redis.conf');
    assert.equal((await stat(config)).mode & 0o777, 0o600);
    assert.equal((await stat(server.dir)).mode & 0o777, 0o700);
    assert.match(await readFile(config, 'utf8'), /^user default off /m);
  });

  it('serves the session store logged in as the app user, from the url or the auth option', async () => {
    for (const options of [{ url: server.url }, { url: server.address, auth: server.users.app }]) {
      const store = new RedisSessionStore({ ...options, idleTtlMs: 60000 });
      try {
        await store.connect();
        assert.equal(typeof (await store.count()), 'number');
      } finally {
        await store.close();
      }
    }
  });

  it('fails the store fast, saying why, without the password or with a wrong one', async () => {
    const wrong = { ...server.users.app, password: 'guessed-password' };
    for (const [options, why] of [
      [{ url: server.address }, /NOAUTH/],
      [{ url: server.address, auth: wrong }, /WRONGPASS/],
    ] as const) {
      const store = new RedisSessionStore({ ...options, idleTtlMs: 60000 });
      try {
        const started = Date.now();
        await assert.rejects(store.connect(), (error: Error & { code?: string }) => {
          assert.match(error.message, why);
          assert.ok(!error.message.includes('guessed-password'), 'no password in the message');
          return true;
        });
        assert.ok(Date.now() - started < 3000, 'refused within the connect timeout');
      } finally {
        await store.close();
      }
    }
  });
});

describe('a Redis that needs no password is refused unless told', function () {
  this.timeout(30000);
  let open: ChildProcess;
  let port: number;

  before(async () => {
    const binary = await toolNamed('redis-server')?.find();
    assert.ok(binary, 'redis-server is installed');
    port = await freePort();
    // Someone else's Redis, as it comes: no password, nothing persisted.
    open = spawn(
      binary.path,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitFor(() => answersWithoutPassword('127.0.0.1', port, 500).catch(() => false), {
      timeoutMs: 10000,
      what: 'an open redis-server to answer',
    });
  });

  after(async () => {
    if (open.exitCode === null) {
      const exited = new Promise((resolve) => open.once('exit', resolve));
      open.kill('SIGKILL');
      await exited;
    }
  });

  it('the session store refuses to connect (STORE_REDIS_NO_AUTH), or connects with allowNoPassword', async () => {
    const url = `redis://127.0.0.1:${port}`;
    const refused = new RedisSessionStore({ url, idleTtlMs: 1000 });
    try {
      await assert.rejects(refused.connect(), {
        code: 'STORE_REDIS_NO_AUTH',
        message: /answers clients that give no password.*allowNoPassword/,
      });
    } finally {
      await refused.close();
    }
    const allowed = new RedisSessionStore({ url, idleTtlMs: 1000, allowNoPassword: true });
    try {
      await allowed.connect();
      assert.equal(await allowed.count(), 0);
    } finally {
      await allowed.close();
    }
  });

  it('the lab refuses it with REDIS_NO_AUTH and a hint', async () => {
    await assert.rejects(refuseOpenRedis(port), {
      name: 'LabError',
      code: 'REDIS_NO_AUTH',
      hint: /lab down/,
    });
  });
});
