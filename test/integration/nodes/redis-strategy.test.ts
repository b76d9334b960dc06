// Two node apps sharing one real redis-server: the `redis` strategy as the
// lab runs it behind a round-robin balancer.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processState } from '../../../lab/process/supervisor.ts';
import { RedisServer } from '../../../lab/services/redis-server.ts';
import { waitFor } from '../../../lab/process/wait.ts';
import type { StrategyConfig } from '../../../nodes/strategies/config.ts';
import {
  ADMIN_HEADERS,
  errorOf,
  login,
  postJson,
  startNode,
  switchStrategy,
} from '../../unit/nodes/harness.ts';
import type { TestNode } from '../../unit/nodes/harness.ts';

interface CartBody {
  items: { sku: string; qty: number }[];
  version: number;
}

describe('the redis strategy against a real redis-server', function () {
  this.timeout(30_000);
  let root: string;
  let server: RedisServer;

  before(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'redis-strategy-it-'));
    server = await RedisServer.start({ dir: root, detached: false });
  });

  after(async () => {
    if (server) {
      await server.stop();
      // RedisServer.stop() signals only a process whose command line still
      // shows its config file, and redis-server rewrites its process title:
      // stop the server this suite started by its pid.
      if ((await processState(server.pid)) !== 'dead') {
        process.kill(server.pid, 'SIGTERM');
        await waitFor(async () => (await processState(server.pid)) === 'dead', {
          timeoutMs: 5_000,
          what: 'redis-server to exit',
        });
      }
    }
    await rm(root, { recursive: true, force: true });
  });

  function redisConfig(mode: 'cas' | 'lww' = 'cas'): StrategyConfig {
    return { name: 'redis', redis: { url: server.url, mode } };
  }

  async function twoNodes(mode: 'cas' | 'lww' = 'cas'): Promise<[TestNode, TestNode]> {
    return [
      await startNode({ strategy: redisConfig(mode) }),
      await startNode({ strategy: redisConfig(mode) }),
    ];
  }

  async function cartOn(node: TestNode, cookie: string): Promise<CartBody> {
    const response = await node.fetch('/cart', { headers: { Cookie: cookie } });
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as CartBody;
  }

  function addOn(node: TestNode, cookie: string, sku: string): Promise<Response> {
    return node.fetch('/cart/items', postJson({ sku, qty: 1 }, { Cookie: cookie }));
  }

  it('serves a session started on A from B: reads, writes, and a logout on B ends it on A', async () => {
    const [a, b] = await twoNodes();
    const cookie = await login(a, 'alice');

    const me = await b.fetch('/me', { headers: { Cookie: cookie } });
    assert.equal(me.status, 200);
    assert.equal(((await me.json()) as { user: string }).user, 'alice');

    assert.equal((await addOn(b, cookie, 'apple')).status, 200);
    assert.deepEqual(await cartOn(b, cookie), { items: [{ sku: 'apple', qty: 1 }], version: 1 });
    assert.deepEqual(await cartOn(a, cookie), { items: [{ sku: 'apple', qty: 1 }], version: 1 });
    assert.equal((await addOn(a, cookie, 'pear')).status, 200);
    assert.equal((await cartOn(b, cookie)).version, 2, 'B reads what A wrote');

    const logout = await b.fetch('/logout', { method: 'POST', headers: { Cookie: cookie } });
    assert.equal(logout.status, 204);
    const after = await a.fetch('/me', { headers: { Cookie: cookie } });
    assert.equal(after.status, 401);
    assert.equal((await errorOf(after)).code, 'NO_SESSION');
  });

  it('lands every concurrent write through both nodes in cas mode, each with its own version', async () => {
    const [a, b] = await twoNodes('cas');
    const cookie = await login(a);
    const writers = 20;
    const responses = await Promise.all(
      Array.from({ length: writers }, (_, i) => addOn(i % 2 ? a : b, cookie, `sku-${i}`)),
    );
    const versions = await Promise.all(
      responses.map(async (response) => {
        assert.equal(response.status, 200);
        return ((await response.json()) as CartBody).version;
      }),
    );
    assert.deepEqual(
      versions.sort((x, y) => x - y),
      Array.from({ length: writers }, (_, i) => i + 1),
    );
    const cart = await cartOn(b, cookie);
    assert.equal(cart.items.length, writers);
  });

  it('reports the shared sessions and the mode in /admin/status of each node', async () => {
    const [a, b] = await twoNodes('lww');
    const before = await statusOf(b);
    await login(a, 'carol');
    const after = await statusOf(b);
    assert.deepEqual([after.strategy, after.variant], ['redis', 'lww']);
    assert.equal(after.sessions, (before.sessions as number) + 1, 'B counts what A started');
  });

  it('switches a sticky node to redis live, and its sessions then follow the client', async () => {
    const a = await startNode();
    const [b] = await twoNodes();
    const response = await switchStrategy(a, redisConfig());
    assert.equal(response.status, 200, await response.clone().text());
    const cookie = await login(a, 'dave');
    assert.equal((await b.fetch('/me', { headers: { Cookie: cookie } })).status, 200);
  });

  it('answers 503 fast while Redis does not answer, and recovers by itself', async () => {
    const [a] = await twoNodes();
    const cookie = await login(a);
    // Paused, not stopped: a store that accepts connections but never answers
    // is the case that must not make requests hang.
    process.kill(server.pid, 'SIGSTOP');
    try {
      const started = performance.now();
      const down = await a.fetch('/me', { headers: { Cookie: cookie } });
      assert.equal(down.status, 503);
      assert.equal((await errorOf(down)).code, 'STORE_UNAVAILABLE');
      assert.ok(performance.now() - started < 3_000, 'no hang');
      assert.equal((await a.fetch('/readyz')).status, 503);
    } finally {
      process.kill(server.pid, 'SIGCONT');
    }
    await waitFor(async () => (await a.fetch('/readyz')).status === 200, {
      timeoutMs: 10_000,
      what: 'the node to be ready again',
    });
    assert.equal((await a.fetch('/me', { headers: { Cookie: cookie } })).status, 200);
  });

  async function statusOf(node: TestNode): Promise<Record<string, unknown>> {
    const response = await node.fetch('/admin/status', { headers: ADMIN_HEADERS });
    assert.equal(response.status, 200);
    return (await response.json()) as Record<string, unknown>;
  }
});
