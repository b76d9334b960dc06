// The SessionStore contract against Redis in a container, started through
// Testcontainers on the lab's engine; on a machine with no engine, against a
// local redis-server process instead. The suite's title says which ran.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { docker } from '../../../lab/engine/docker/cli.ts';
import { freePort } from '../../../lab/process/ports.ts';
import { probeRedis, RedisServer } from '../../../lab/services/redis-server.ts';
import { waitFor } from '../../../lab/process/wait.ts';
import { RedisSessionStore } from '../../../store/redis/session-store.ts';
import { sessionStoreContract } from '../../contract/session-store.contract.ts';
import { engineUnavailable, startEngine, type TestEngine } from './engine.ts';

/** A Redis the contract can connect to, take away and bring back. */
interface RedisUnderTest {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

const unavailable = engineUnavailable();
const where = unavailable
  ? `a local redis-server process (no container engine: ${unavailable})`
  : 'a Redis container started by Testcontainers';

async function containerRedis(engine: TestEngine): Promise<RedisUnderTest> {
  const port = await freePort();
  const container: StartedTestContainer = await new GenericContainer('session-lab/redis:dev')
    // The host's network on 127.0.0.1: never a bridge and its private addresses.
    .withNetworkMode('host')
    .withCommand([
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--save',
      '',
      '--appendonly',
      'no',
    ])
    .withWaitStrategy(Wait.forLogMessage(/Ready to accept connections/))
    .withStartupTimeout(30000)
    .start();
  const id = container.getId();
  const mode = await docker(engine.daemon, [
    'inspect',
    '--format',
    '{{.HostConfig.NetworkMode}}',
    id,
  ]);
  assert.equal(mode, 'host', 'the Redis container must use the host network');
  return {
    url: `redis://127.0.0.1:${port}`,
    // The engine's own stop and start: the outage a container platform causes.
    stop: async () => {
      await docker(engine.daemon, ['stop', '--time', '5', id]);
    },
    start: async () => {
      await docker(engine.daemon, ['start', id]);
      await waitFor(async () => (await probeRedis(port, undefined)).reply === '+PONG', {
        timeoutMs: 15000,
        what: `the Redis container to answer PING on ${port}`,
      });
    },
    close: async () => {
      await container.stop({ remove: true, timeout: 5000 });
    },
  };
}

async function processRedis(): Promise<RedisUnderTest> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'redis-contract-'));
  const server = await RedisServer.start({ dir, detached: false });
  return {
    url: server.url,
    stop: () => server.stop(),
    start: () => server.restart(),
    close: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe(`SessionStore contract on ${where}`, function () {
  this.timeout(30000);
  let engine: TestEngine | undefined;
  let redis: RedisUnderTest;
  const stores: RedisSessionStore[] = [];
  let prefixes = 0;

  before(async function () {
    // A clean clone builds the images here first (a few minutes, once).
    this.timeout(20 * 60000);
    if (unavailable) {
      redis = await processRedis();
    } else {
      engine = await startEngine({ hazelcast: false });
      redis = await containerRedis(engine);
    }
    const images = engine ? `, images ready in ${engine.imagesSeconds} s` : '';
    process.stdout.write(`      (store contract on ${where}${images})\n`);
  });

  after(async function () {
    this.timeout(60000);
    await Promise.all(stores.map((store) => store.close()));
    try {
      await redis?.close();
    } finally {
      await engine?.close();
    }
  });

  async function connectedStore(
    idleTtlMs: number,
    mode: 'cas' | 'lww',
  ): Promise<RedisSessionStore> {
    prefixes += 1;
    const store = new RedisSessionStore({
      url: redis.url,
      // The container's Redis runs without ACL users (docs/security.md).
      allowNoPassword: true,
      idleTtlMs,
      keyPrefix: `sl:container${prefixes}:`,
      mode,
    });
    stores.push(store);
    await store.connect();
    return store;
  }

  describe('mode cas', () => {
    sessionStoreContract({
      create: ({ idleTtlMs }) => connectedStore(idleTtlMs, 'cas'),
      atomicCompareAndSet: true,
      outage: { stop: () => redis.stop(), start: () => redis.start() },
    });
  });

  describe('mode lww', () => {
    sessionStoreContract({
      create: ({ idleTtlMs }) => connectedStore(idleTtlMs, 'lww'),
      atomicCompareAndSet: false,
      lastWriteWins: true,
    });
  });
});
