import assert from 'node:assert/strict';
import net from 'node:net';
import { redisInfo } from '../../../../../lab/run/probes/redis-info.ts';

const PROBE = { username: 'lab-probe', password: 'probe-password-0123456789' };

/** A loopback port where nothing listens (bound once, then released). */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('redis INFO reading (probes)', () => {
  it('fails at once when no redis-server listens', async () => {
    const started = Date.now();
    await assert.rejects(
      redisInfo(await closedPort(), 'memory', PROBE, 500),
      /ECONNREFUSED|connect/i,
    );
    assert.ok(Date.now() - started < 2000, 'no retry loop');
  });

  it('fails within its bound when the server accepts but never answers (a paused store)', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const started = Date.now();
      await assert.rejects(redisInfo(port, 'memory', PROBE, 300));
      assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
