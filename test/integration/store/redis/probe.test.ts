import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../../lab/process/ports.ts';
import { signalService } from '../../../../lab/process/supervisor.ts';
import { probeRedis as labProbe, RedisServer } from '../../../../lab/services/redis-server.ts';
import {
  answersWithoutPassword,
  probeRedis,
  redisInfo,
  redisKeyCount,
} from '../../../../store/redis/probe.ts';

describe('the redis probe (store/redis/probe.ts), against a real redis-server', () => {
  let root: string;
  let server: RedisServer;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'redis-probe-it-'));
    server = await RedisServer.start({ dir: root, detached: false });
  });

  after(async () => {
    await signalService(server.pid, server.spec, 'SIGCONT');
    await server.stop();
    await rm(root, { recursive: true, force: true });
  });

  it("answers +PONG with the server's own pid, and counts its keys, as the probe user", async () => {
    const probe = server.users.probe;
    assert.deepEqual(await probeRedis(server.port, probe), { reply: '+PONG', pid: server.pid });
    assert.equal(await redisKeyCount(server.port, probe), 0);
    assert.match(await redisInfo(server.port, 'memory', probe), /^used_memory:\d+\r?$/m);
  });

  it('is refused without the password, or with a wrong one', async () => {
    const nobody = await probeRedis(server.port, undefined);
    assert.match(nobody.reply, /^-NOAUTH/);
    assert.equal(nobody.pid, undefined, 'INFO is refused too');
    assert.equal(await answersWithoutPassword('127.0.0.1', server.port, 1000), false);
    const wrong = { username: server.users.probe.username, password: 'not-the-password' };
    await assert.rejects(redisKeyCount(server.port, wrong), /WRONGPASS|NOAUTH/);
  });

  it('fails at once, naming the port and ECONNREFUSED, when nothing listens', async () => {
    const port = await freePort();
    const started = Date.now();
    await assert.rejects(
      probeRedis(port, undefined),
      new RegExp(`127\\.0\\.0\\.1:${port} .*ECONNREFUSED`),
    );
    assert.ok(Date.now() - started < 1000, 'a refused connection is not retried');
    // The lab's wrapper turns it into its error with a hint.
    await assert.rejects(labProbe(port, server.users.probe), {
      name: 'LabError',
      code: 'REDIS_UNREACHABLE',
    });
  });

  it('gives up within twice its timeout when the server is paused, never hangs', async () => {
    await signalService(server.pid, server.spec, 'SIGSTOP');
    try {
      const started = Date.now();
      await assert.rejects(redisKeyCount(server.port, server.users.probe, 200), /did not answer/);
      await assert.rejects(probeRedis(server.port, server.users.probe, 200), /did not answer/);
      assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
    } finally {
      await signalService(server.pid, server.spec, 'SIGCONT');
    }
    assert.equal((await probeRedis(server.port, server.users.probe)).reply, '+PONG');
  });
});
