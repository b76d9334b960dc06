import assert from 'node:assert/strict';
import { balancerAdmin } from '../../lab/topology/admin-client.ts';
import { CookieClient } from '../../lab/topology/cookie-client.ts';
import { processState, signalService } from '../../lab/process/supervisor.ts';
import { findNode, type LabState } from '../../lab/topology/state.ts';
import { startNode } from '../../lab/topology/topology.ts';
import { waitFor } from '../../lab/process/wait.ts';
import { useTopology, waitNodeState } from './harness.ts';

async function login(client: CookieClient, user: string): Promise<string> {
  const response = await client.request('POST', '/login', { json: { user, password: 'secret' } });
  assert.equal(response.status, 200, `login of ${user}: ${JSON.stringify(response.body)}`);
  return response.servedBy;
}

describe('three real nodes behind the real balancer (sticky strategy)', function () {
  this.timeout(60000);
  const topology = useTopology(3);
  let state: LabState;
  before(() => {
    state = topology.state;
  });

  it('spreads new clients over every node with the fallback round-robin', async () => {
    const counts = new Map<string, number>();
    for (let index = 0; index < 30; index += 1) {
      const response = await new CookieClient(state.balancer.url).request('GET', '/healthz');
      assert.equal(response.status, 200);
      counts.set(response.servedBy, (counts.get(response.servedBy) ?? 0) + 1);
    }
    assert.deepEqual([...counts.keys()].sort(), ['node-1', 'node-2', 'node-3']);
    assert.deepEqual([...counts.values()], [10, 10, 10]);
  });

  it('pins a logged-in client to one node across many requests', async () => {
    const client = new CookieClient(state.balancer.url);
    const home = await login(client, 'pinned');
    for (let write = 1; write <= 40; write += 1) {
      const response = await client.request('POST', '/cart/items', { json: { sku: 'a', qty: 1 } });
      assert.equal(response.status, 200);
      assert.equal(response.servedBy, home);
      assert.equal((response.body as { version: number }).version, write);
    }
  });

  it('spreads one client over every node after switching to round-robin, live', async () => {
    const { adminUrl, adminToken } = state.balancer;
    await balancerAdmin(adminUrl, adminToken, 'PUT', '/policy', { policy: 'round-robin' });
    try {
      const client = new CookieClient(state.balancer.url);
      const seen = new Set<string>();
      for (let index = 0; index < 6; index += 1) {
        seen.add((await client.request('GET', '/healthz')).servedBy);
      }
      assert.equal(seen.size, 3);
    } finally {
      await balancerAdmin(adminUrl, adminToken, 'PUT', '/policy', { policy: 'sticky' });
    }
  });

  it('refuses bad cookies and oversized headers cleanly and stays up', async () => {
    const garbage = new CookieClient(state.balancer.url);
    garbage.cookies.set('SLB', 'bm9kZS0x');
    garbage.cookies.set('sid', 'not-an-id-the-server-issued');
    const me = await garbage.request('GET', '/me');
    assert.equal(me.status, 401);
    assert.equal((me.body as { error: { code: string } }).error.code.length > 0, true);
    assert.match(me.servedBy, /^node-\d$/);

    const huge = await fetch(`${state.balancer.url}/me`, {
      headers: { cookie: `sid=${'x'.repeat(64 * 1024)}` },
    });
    assert.equal(huge.status, 431);
    assert.equal(huge.headers.get('content-type')?.startsWith('application/json'), true);
    await huge.body?.cancel();

    const after = await new CookieClient(state.balancer.url).request('GET', '/healthz');
    assert.equal(after.status, 200, 'the balancer still answers after bad input');
  });

  it('redispatches the client of a killed node, whose node-local session is gone', async () => {
    const client = new CookieClient(state.balancer.url);
    const home = await login(client, 'victim');
    const stickyBefore = client.cookies.get('SLB');
    const victim = findNode(state, home);
    await signalService(victim.pid, victim.spec, 'SIGKILL');
    await waitFor(async () => (await processState(victim.pid)) === 'dead', {
      timeoutMs: 5000,
      what: 'the killed node to die',
    });

    const me = await client.request('GET', '/me');
    assert.equal(me.status, 401, 'the session lived only on the killed node');
    assert.notEqual(me.servedBy, home);
    assert.notEqual(client.cookies.get('SLB'), stickyBefore, 'a new balancer cookie is issued');
    const again = await login(client, 'victim');
    assert.notEqual(again, home);

    victim.pid = await startNode(victim.spec, victim.url, false);
    await waitNodeState(state, victim.id, 'up');
  });

  it('ejects a paused node through the health check and readmits it after resume', async () => {
    const target = state.nodes[1]!;
    await signalService(target.pid, target.spec, 'SIGSTOP');
    try {
      await waitNodeState(state, target.id, 'down');
      for (let index = 0; index < 6; index += 1) {
        const response = await new CookieClient(state.balancer.url).request('GET', '/healthz');
        assert.equal(response.status, 200);
        assert.notEqual(response.servedBy, target.id);
      }
    } finally {
      await signalService(target.pid, target.spec, 'SIGCONT');
    }
    await waitNodeState(state, target.id, 'up');
  });
});
