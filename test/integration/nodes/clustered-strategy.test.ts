// Two node apps on a real 2-member Hazelcast cluster: the `clustered`
// strategy in both variants, switched live as the lab does.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processState } from '../../../lab/process/supervisor.ts';
import {
  startHazelcastCluster,
  type HazelcastCluster,
} from '../../../lab/services/hazelcast-member.ts';
import { waitFor } from '../../../lab/process/wait.ts';
import {
  ADMIN_HEADERS,
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

describe('the clustered strategy on a real Hazelcast cluster', function () {
  this.timeout(90_000);
  let dir: string;
  let cluster: HazelcastCluster;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'clustered-strategy-it-'));
    cluster = await startHazelcastCluster({ size: 2, dir, detached: false });
  });

  after(async () => {
    const pids = cluster ? cluster.members.map((member) => member.pid) : [];
    await cluster?.stop();
    const states = await Promise.all(pids.map((pid) => processState(pid)));
    await rm(dir, { recursive: true, force: true });
    assert.deepEqual(
      states,
      states.map(() => 'dead'),
      'every member is gone',
    );
  });

  /** A sticky node switched live to `clustered`, its members listed as given. */
  async function clusteredNode(variant: string, members: string[]): Promise<TestNode> {
    const node = await startNode();
    const body = {
      name: 'clustered',
      hazelcast: { variant, clusterName: cluster.clusterName, members },
    };
    const response = await switchStrategy(node, body);
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(((await response.json()) as { variant: string }).variant, variant);
    return node;
  }

  function cartOn(node: TestNode, cookie: string): Promise<Response> {
    return node.fetch('/cart', { headers: { Cookie: cookie } });
  }

  it('replicated: each node on its own member, a session started on A is served by B once replicated', async () => {
    const [m1, m2] = cluster.addresses;
    assert.ok(m1 && m2);
    const a = await clusteredNode('replicated', [m1]);
    const b = await clusteredNode('replicated', [m2]);
    const cookie = await login(a, 'alice');
    // Replication is asynchronous: wait (bounded) for the copy on B's member.
    await waitFor(async () => (await cartOn(b, cookie)).status === 200, {
      timeoutMs: 10_000,
      what: 'the session to reach the second member',
    });
    const write = await b.fetch(
      '/cart/items',
      postJson({ sku: 'apple', qty: 1 }, { Cookie: cookie }),
    );
    assert.equal(write.status, 200);
    await waitFor(
      async () => ((await (await cartOn(a, cookie)).json()) as CartBody).version === 1,
      { timeoutMs: 10_000, what: 'the write on B to reach A' },
    );
    const status = await a.fetch('/admin/status', { headers: ADMIN_HEADERS });
    const body = (await status.json()) as { strategy: string; sessions: number };
    assert.equal(body.strategy, 'clustered');
    assert.ok(body.sessions >= 1);
  });

  it('partitioned: any node reads the latest write at once', async () => {
    const a = await clusteredNode('partitioned', [...cluster.addresses]);
    const b = await clusteredNode('partitioned', [...cluster.addresses]);
    const cookie = await login(a, 'bob');
    for (let i = 1; i <= 3; i += 1) {
      const writer = i % 2 ? a : b;
      const reader = i % 2 ? b : a;
      const write = await writer.fetch(
        '/cart/items',
        postJson({ sku: 'pear', qty: 1 }, { Cookie: cookie }),
      );
      assert.equal(write.status, 200);
      const read = (await (await cartOn(reader, cookie)).json()) as CartBody;
      assert.equal(read.version, i, 'read-your-writes across nodes');
    }
    const logout = await b.fetch('/logout', { method: 'POST', headers: { Cookie: cookie } });
    assert.equal(logout.status, 204);
    assert.equal((await a.fetch('/me', { headers: { Cookie: cookie } })).status, 401);
  });
});
