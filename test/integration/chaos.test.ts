import assert from 'node:assert/strict';
import { balancerAdmin } from '../../lab/topology/admin-client.ts';
import type { NodeView } from '../../lab/chaos/balancer-view.ts';
import { runChaos, type ChaosContext } from '../../lab/chaos/index.ts';
import { CookieClient } from '../../lab/topology/cookie-client.ts';
import { processState } from '../../lab/process/supervisor.ts';
import { parseStrategyChoice } from '../../lab/strategy/choice.ts';
import { switchStrategy } from '../../lab/strategy/switch.ts';
import { waitFor } from '../../lab/process/wait.ts';
import { useTopology } from './harness.ts';

// The cases run in order on one topology: sticky first, then redis; each
// leaves every process running for the next.
describe('chaos and failover through the balancer', function () {
  this.timeout(60000);
  const topology = useTopology(3);
  const context = (): ChaosContext => ({
    stateDir: topology.stateDir,
    state: topology.state,
    detached: false,
  });
  const client = () => new CookieClient(topology.state.balancer.url);
  const login = (user: CookieClient, name: string) =>
    user.request('POST', '/login', { json: { user: name, password: 'secret' } });
  const nodeView = async (id: string): Promise<NodeView> => {
    const { adminUrl, adminToken } = topology.state.balancer;
    const views = await balancerAdmin<NodeView[]>(adminUrl, adminToken, 'GET', '/nodes');
    return views.find((view) => view.id === id)!;
  };
  const loggedIn = async (count: number, prefix: string): Promise<CookieClient[]> => {
    const users = Array.from({ length: count }, client);
    for (const [i, user] of users.entries()) {
      const response = await login(user, `${prefix}${i}`);
      assert.equal(response.status, 200, JSON.stringify(response.body));
    }
    return users;
  };

  it('sticky: drain keeps a pinned client, sends new ones elsewhere; disable moves everyone; enable brings it back', async () => {
    const pinned = client();
    const home = (await login(pinned, 'pinned')).servedBy;

    const drained = await runChaos(context(), 'drain', home);
    assert.deepEqual([drained.before, drained.after], ['up', 'draining']);
    assert.match(drained.detail, /pinned to it stay; new clients go to other nodes/);
    for (let i = 0; i < 5; i++) {
      const me = await pinned.request('GET', '/me');
      assert.deepEqual([me.status, me.servedBy], [200, home], 'the pinned client stays');
    }
    for (let i = 0; i < 10; i++) {
      const response = await login(client(), `new${i}`);
      assert.equal(response.status, 200);
      assert.notEqual(response.servedBy, home, 'a new client goes elsewhere');
    }

    const disabled = await runChaos(context(), 'disable', home);
    assert.deepEqual([disabled.before, disabled.after], ['draining', 'disabled']);
    const moved = await pinned.request('GET', '/me');
    assert.notEqual(moved.servedBy, home, 'disable moves even the pinned client');
    assert.equal(moved.status, 401, 'its session stayed in the memory of the disabled node');

    const enabled = await runChaos(context(), 'enable', home);
    assert.deepEqual([enabled.before, enabled.after], ['disabled', 'up']);
    assert.match(enabled.detail, /weight 0\.\d+ \(slow start/);
    // New clients find it again (at a small share at first: slow start).
    await waitFor(async () => (await client().request('GET', '/me')).servedBy === home, {
      timeoutMs: 10000,
      intervalMs: 1,
      what: `a new client to land on ${home}`,
    });
  });

  it('redis (persistence none): a kill loses every session and nodes answer 503 fast; a restart serves logins again', async () => {
    const { state, stateDir } = topology;
    await switchStrategy(stateDir, state, parseStrategyChoice('redis'), { detached: false });
    const nodePids = state.nodes.map((node) => node.pid);
    const users = await loggedIn(3, 'r');

    const killed = await runChaos(context(), 'kill', 'redis');
    assert.deepEqual([killed.before, killed.after], ['running', 'dead']);
    const held = /persistence none: its (\d+) key\(s\) are lost/.exec(killed.detail);
    assert.ok(held && Number(held[1]) >= 3, killed.detail);

    const whileDown = [
      ...users.map((user) => () => user.request('GET', '/cart')),
      () => login(client(), 'late'),
    ];
    for (const request of whileDown) {
      const started = performance.now();
      const response = await request();
      assert.equal(response.status, 503, JSON.stringify(response.body));
      assert.ok(performance.now() - started < 1000, 'a 503 comes fast, not after a hang');
    }

    const restarted = await runChaos(context(), 'restart', 'redis');
    assert.deepEqual([restarted.before, restarted.after], ['dead', 'running']);
    assert.match(
      restarted.detail,
      /0 key\(s\) after start, new logins included \(persistence none: nothing survives\)/,
    );
    // The nodes' clients reconnect by themselves (backoff of at most 1 s).
    const again = await waitFor(
      async () => {
        const response = await login(client(), 'again');
        return response.status === 200 ? response : false;
      },
      { timeoutMs: 10000, intervalMs: 100, what: 'a login to work again' },
    );
    assert.equal(again.status, 200);
    for (const user of users) assert.equal((await user.request('GET', '/me')).status, 401);
    assert.deepEqual(
      state.nodes.map((node) => node.pid),
      nodePids,
      'no node was restarted',
    );
  });

  it('redis: killing a node loses no session and fails no request (the balancer retries elsewhere)', async () => {
    const users = await loggedIn(4, 'k');
    const victim = topology.state.nodes[1]!;
    const killed = await runChaos(context(), 'kill', victim.id);
    assert.match(killed.detail, /sessions live in Redis under redis: none lost/);

    const failures: string[] = [];
    for (let i = 0; i < 60; i++) {
      const response = await users[i % users.length]!.request('GET', '/cart');
      if (response.status !== 200) failures.push(`${response.status} ${response.servedBy}`);
      assert.notEqual(response.servedBy, victim.id);
    }
    assert.deepEqual(failures, [], 'no request failed and no session was lost');

    const started = await runChaos(context(), 'start', victim.id);
    assert.deepEqual([started.before, started.after], ['dead', 'running']);
    assert.equal(await processState(started.pid!), 'running');
    assert.match(started.detail, /^balancer: up/);
  });

  it('a restarted node comes back through slow start, visible in GET /nodes', async () => {
    const node = topology.state.nodes[2]!;
    const restarted = await runChaos(context(), 'restart', node.id);
    assert.match(restarted.detail, /exited on SIGTERM.*the balancer saw it down/);
    assert.match(restarted.detail, /balancer: up, weight 0\.\d+ \(slow start, \d\.\d s left\)/);

    const first = await nodeView(node.id);
    assert.equal(first.state, 'up');
    assert.ok(first.weight! < 1 && first.slowStartRemainingMs! > 0, JSON.stringify(first));
    await waitFor(async () => (await nodeView(node.id)).weight! > first.weight!, {
      timeoutMs: 3000,
      what: 'the weight to grow',
    });
    await waitFor(
      async () => {
        const view = await nodeView(node.id);
        return view.weight === 1 && view.slowStartRemainingMs === 0;
      },
      { timeoutMs: 8000, intervalMs: 200, what: 'slow start to end' },
    );
  });
});
