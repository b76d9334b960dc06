import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { login, overrideStore, postJson, sampleOf, startNode } from '../harness.ts';
import type { TestNode } from '../harness.ts';

async function scrape(node: TestNode): Promise<string> {
  const response = await node.fetch('/metrics');
  assert.equal(response.status, 200);
  assert.match(response.headers.get('Content-Type') ?? '', /^text\/plain; version=0\.0\.4/);
  return response.text();
}

const sample = sampleOf;

describe('nodes/routes/metrics', () => {
  it('reports live sessions as a gauge read from the store', async () => {
    const node = await startNode();
    assert.match(await scrape(node), /# TYPE lab_node_sessions_live gauge/);
    assert.equal(sample(await scrape(node), 'lab_node_sessions_live'), 0);
    const cookie = await login(node);
    await login(node, 'bob');
    assert.equal(sample(await scrape(node), 'lab_node_sessions_live'), 2);
    await node.fetch('/logout', { method: 'POST', headers: { Cookie: cookie } });
    assert.equal(sample(await scrape(node), 'lab_node_sessions_live'), 1);
  });

  it('counts sessions created, destroyed, expired and evicted, and failed logins', async () => {
    const node = await startNode({
      maxEntries: 2,
      idleTimeoutMs: 1_000,
      config: { absoluteTimeoutMs: 5_000 },
    });
    const a = await login(node, 'a');
    await login(node, 'b', a); // relogin: a destroyed
    await login(node, 'c');
    await login(node, 'd'); // full: b evicted
    await node.fetch('/login', postJson({ user: 'e', password: 'nope' }));
    await node.fetch('/login', postJson({ user: '' }));
    node.clock.now += 2_000; // c and d idle-expire
    const text = await scrape(node);
    assert.equal(sample(text, 'lab_node_sessions_created_total'), 4);
    assert.equal(sample(text, 'lab_node_sessions_destroyed_total', { reason: 'relogin' }), 1);
    assert.equal(sample(text, 'lab_node_sessions_evicted_total'), 1);
    assert.equal(sample(text, 'lab_node_sessions_expired_total', { reason: 'idle' }), 2);
    assert.equal(sample(text, 'lab_node_logins_failed_total', { reason: 'bad_credentials' }), 1);
    assert.equal(sample(text, 'lab_node_logins_failed_total', { reason: 'bad_input' }), 1);
    assert.equal(sample(text, 'lab_node_sessions_live'), 0);
  });

  it('counts an absolute timeout as expired, reason absolute', async () => {
    const node = await startNode({ config: { absoluteTimeoutMs: 1_000 } });
    const cookie = await login(node);
    node.clock.now += 1_000;
    await node.fetch('/me', { headers: { Cookie: cookie } });
    const text = await scrape(node);
    assert.equal(sample(text, 'lab_node_sessions_expired_total', { reason: 'absolute' }), 1);
  });

  it('counts requests by route pattern and status, and times them', async () => {
    const node = await startNode();
    await node.fetch('/me');
    await node.fetch('/healthz');
    await node.fetch('/no/such/path/12345');
    const text = await scrape(node);
    assert.equal(
      sample(text, 'lab_node_http_requests_total', { route: '/me', method: 'GET', status: '401' }),
      1,
    );
    assert.equal(
      sample(text, 'lab_node_http_requests_total', {
        route: '/healthz',
        method: 'GET',
        status: '200',
      }),
      1,
    );
    assert.equal(
      sample(text, 'lab_node_http_requests_total', {
        route: '(unmatched)',
        method: 'GET',
        status: '404',
      }),
      1,
    );
    assert.doesNotMatch(text, /12345/, 'raw paths never become label values');
    assert.equal(
      sample(text, 'lab_node_http_request_duration_seconds_count', { route: '/me', method: 'GET' }),
      1,
    );
  });

  it('keeps each app in its own registry', async () => {
    const registry = new Registry();
    const first = await startNode({ app: { registry } });
    const second = await startNode();
    await login(first);
    assert.equal(sample(await registry.metrics(), 'lab_node_sessions_created_total'), 1);
    assert.equal(sample(await scrape(second), 'lab_node_sessions_created_total'), 0);
  });

  it('reports NaN live sessions, not a failure, when the store cannot count', async () => {
    const node = await startNode({
      wrapStore: (inner) =>
        overrideStore(inner, { count: () => Promise.reject(new Error('down')) }),
    });
    assert.equal(Number.isNaN(sample(await scrape(node), 'lab_node_sessions_live')), true);
  });
});
