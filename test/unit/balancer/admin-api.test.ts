import assert from 'node:assert/strict';
import { createBalancer, type Balancer } from '../../../balancer/balancer.ts';
import type { NodeView } from '../../../balancer/admin-api.ts';
import type { ErrorBody, Reply, SendOptions, TestNode } from './helpers.ts';
import { ADMIN_TOKEN, json, makeConfig, send, startNode, waitFor } from './helpers.ts';

describe('admin API', () => {
  let nodes: TestNode[];
  let balancer: Balancer;
  let url: string;
  let adminUrl: string;

  const admin = (path: string, options: SendOptions = {}): Promise<Reply> =>
    send(`${adminUrl}${path}`, {
      ...options,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...options.headers },
    });
  /** Runs `times` health checks of a node (skipped ones, while another is in flight, do not count). */
  const runChecks = async (id: string, times: number) => {
    let done = 0;
    await waitFor(async () => {
      if ((await balancer.health.checkNow(balancer.pool.get(id)!)) !== null) done++;
      return done >= times;
    }, `${times} health checks of ${id}`);
  };
  const nodeState = async (id: string) =>
    json<NodeView[]>(await admin('/nodes')).find((n) => n.id === id)!.state;

  beforeEach(async () => {
    nodes = await Promise.all(['a', 'b'].map((id) => startNode(id)));
    balancer = createBalancer(makeConfig(nodes));
    ({ url, adminUrl } = await balancer.listen());
  });

  afterEach(async () => {
    await balancer.close({ graceMs: 100 });
    await Promise.all(nodes.map((n) => n.close()));
  });

  it('serves /healthz without a token', async () => {
    const reply = await send(`${adminUrl}/healthz`);
    assert.equal(reply.status, 200);
    assert.deepEqual(json(reply), { status: 'ok' });
  });

  it('refuses every other route without the right bearer token', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong-token-wrong-token',
      `Basic ${ADMIN_TOKEN}`,
      `Bearer ${ADMIN_TOKEN}x`,
    ]) {
      for (const path of ['/nodes', '/stats', '/metrics', '/policy']) {
        const reply = await send(`${adminUrl}${path}`, {
          headers: authorization ? { authorization } : {},
        });
        assert.equal(reply.status, 401, `${path} with ${authorization}`);
        assert.equal(json<ErrorBody>(reply).error.code, 'UNAUTHORIZED');
        assert.equal(reply.headers['www-authenticate'], 'Bearer');
      }
    }
    const post = await send(`${adminUrl}/nodes/a/disable`, { method: 'POST' });
    assert.equal(post.status, 401);
    assert.equal(balancer.pool.get('a')!.state, 'up', 'an unauthorised action changes nothing');
  });

  it('lists nodes with state, counters and share', async () => {
    for (let i = 0; i < 4; i++) await send(`${url}/me`);
    const reply = await admin('/nodes');
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['content-type']), /application\/json/);
    const list = json<NodeView[]>(reply);
    assert.deepEqual(
      list.map(({ id, url, state, active, requests, errors, stickyRedispatches, share }) => ({
        id,
        url,
        state,
        active,
        requests,
        errors,
        stickyRedispatches,
        share,
      })),
      [
        {
          id: 'a',
          url: nodes[0]!.url,
          state: 'up',
          active: 0,
          requests: 2,
          errors: 0,
          stickyRedispatches: 0,
          share: 0.5,
        },
        {
          id: 'b',
          url: nodes[1]!.url,
          state: 'up',
          active: 0,
          requests: 2,
          errors: 0,
          stickyRedispatches: 0,
          share: 0.5,
        },
      ],
    );
  });

  it('drains, disables and enables a node', async () => {
    const drained = await admin('/nodes/a/drain', { method: 'POST' });
    assert.equal(drained.status, 200);
    assert.equal(json<NodeView>(drained).state, 'draining');
    for (let i = 0; i < 4; i++) {
      assert.equal((await send(`${url}/me`)).headers['x-served-by'], 'b');
    }
    assert.equal(
      json<NodeView>(await admin('/nodes/a/disable', { method: 'POST' })).state,
      'disabled',
    );
    assert.equal(await nodeState('a'), 'disabled');
    const enabled = json<NodeView>(await admin('/nodes/a/enable', { method: 'POST' }));
    assert.equal(enabled.state, 'up');
    // Back from disabled, it ramps through slow start (default 5 s) from 10%.
    assert.equal(enabled.weight, 0.1);
    assert.ok(enabled.slowStartRemainingMs > 4000, String(enabled.slowStartRemainingMs));
    const served = { a: 0, b: 0 } as Record<string, number>;
    for (let i = 0; i < 40; i++) {
      const by = String((await send(`${url}/me`)).headers['x-served-by']);
      served[by] = (served[by] ?? 0) + 1;
    }
    assert.ok(served.a! > 0 && served.a! < served.b! / 2, JSON.stringify(served));
    const settled = json<NodeView[]>(await admin('/nodes')).find((n) => n.id === 'b')!;
    assert.deepEqual([settled.weight, settled.slowStartRemainingMs], [1, 0]);
  });

  it('hands an enabled node back to the health verdict', async () => {
    await admin('/nodes/a/disable', { method: 'POST' });
    nodes[0]!.healthy = false;
    await runChecks('a', 2);
    assert.equal(await nodeState('a'), 'disabled');
    assert.equal(json<NodeView>(await admin('/nodes/a/enable', { method: 'POST' })).state, 'down');
    nodes[0]!.healthy = true;
    await runChecks('a', 2);
    assert.equal(await nodeState('a'), 'up');
  });

  it('answers 404 UNKNOWN_NODE and 405 for wrong methods', async () => {
    const unknown = await admin('/nodes/zzz/drain', { method: 'POST' });
    assert.equal(unknown.status, 404);
    assert.equal(json<ErrorBody>(unknown).error.code, 'UNKNOWN_NODE');
    const wrongMethod = await admin('/nodes/a/drain');
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.allow, 'POST');
    const noRoute = await admin('/nope');
    assert.equal(noRoute.status, 404);
    assert.equal(json<ErrorBody>(noRoute).error.code, 'NOT_FOUND');
  });

  it('reads and switches the policy live', async () => {
    assert.deepEqual(json(await admin('/policy')), { policy: 'round-robin' });
    const put = await admin('/policy', {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ policy: 'sticky' }),
    });
    assert.equal(put.status, 200);
    assert.deepEqual(json(put), { policy: 'sticky', previous: 'round-robin' });
    assert.equal(balancer.policyName, 'sticky');
    const reply = await send(`${url}/me`);
    assert.ok(
      reply.headers['set-cookie']?.some((c) => c.startsWith('SLB=')),
      'sticky applies at once',
    );
  });

  it('refuses unknown policies and malformed bodies with 400', async () => {
    const unknown = await admin('/policy', {
      method: 'PUT',
      body: JSON.stringify({ policy: 'random' }),
    });
    assert.equal(unknown.status, 400);
    assert.equal(json<ErrorBody>(unknown).error.code, 'UNKNOWN_POLICY');
    assert.match(json<ErrorBody>(unknown).error.message, /round-robin, least-connections, sticky/);
    const malformed = await admin('/policy', { method: 'PUT', body: '{"policy":' });
    assert.equal(malformed.status, 400);
    assert.equal(json<ErrorBody>(malformed).error.code, 'BAD_JSON');
    assert.equal(balancer.policyName, 'round-robin');
  });

  it('reports totals and per-node figures in /stats', async () => {
    await send(`${url}/me`);
    await send(`${url}/admin`);
    const stats = json<{
      uptimeMs: number;
      policy: string;
      totals: { requests: number; proxied: Record<string, number>; errors: Record<string, number> };
      nodes: NodeView[];
    }>(await admin('/stats'));
    assert.equal(stats.policy, 'round-robin');
    assert.ok(stats.uptimeMs >= 0);
    assert.equal(stats.totals.requests, 2);
    assert.equal(stats.totals.proxied['2xx'], 1);
    assert.deepEqual(stats.totals.errors, { NOT_FOUND: 1 });
    assert.equal(stats.nodes.length, 2);
  });

  it('exposes Prometheus metrics from its own registry', async () => {
    await send(`${url}/me`);
    await admin('/nodes/b/disable', { method: 'POST' });
    const reply = await admin('/metrics');
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['content-type']), /^text\/plain/);
    const text = reply.text;
    assert.match(text, /^balancer_requests_total\{node="a",status_class="2xx"\} 1$/m);
    assert.match(text, /^balancer_errors_total\{code="NO_UPSTREAM"\} 0$/m);
    assert.match(text, /^balancer_node_active_requests\{node="a"\} 0$/m);
    assert.match(text, /^balancer_node_share\{node="a"\} 1$/m);
    assert.match(text, /^balancer_node_state\{node="b",state="disabled"\} 1$/m);
    assert.match(text, /^balancer_health_transitions_total\{node="b",to="disabled"\} 1$/m);
    assert.match(text, /^balancer_sticky_redispatches_total\{node="a"\} 0$/m);
    assert.match(text, /^balancer_client_connections \d+$/m);
    assert.doesNotMatch(text, /process_cpu|nodejs_/, 'no default metrics from the global registry');
  });
});
