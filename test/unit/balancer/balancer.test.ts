import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBalancer, type Balancer } from '../../../balancer/balancer.ts';
import type { EchoBody, TestNode } from './helpers.ts';
import { json, makeConfig, send, startNode, waitFor } from './helpers.ts';

async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('balancer', () => {
  let nodes: TestNode[];
  let balancer: Balancer | undefined;

  beforeEach(async () => {
    nodes = await Promise.all(['a', 'b', 'c'].map((id) => startNode(id)));
  });

  afterEach(async () => {
    await balancer?.close({ graceMs: 100 });
    balancer = undefined;
    await Promise.all(nodes.map((n) => n.close()));
  });

  it('builds without opening a port or starting checks', async () => {
    const port = await freePort();
    balancer = createBalancer(makeConfig(nodes, { listen: { host: '127.0.0.1', port } }));
    assert.throws(() => balancer!.urls, /not listening/);
    // The port is still free: the factory did not bind it.
    const squatter = http.createServer();
    await new Promise<void>((resolve) => squatter.listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => squatter.close(resolve));
    assert.equal(balancer.health.pending, 0);
    assert.equal(
      nodes.reduce((sum, n) => sum + n.healthChecks, 0),
      0,
    );
  });

  it('listens on both ports, checks the nodes, and reports its URLs', async () => {
    balancer = createBalancer(makeConfig(nodes));
    const { url, adminUrl } = await balancer.listen();
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(adminUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.notEqual(url, adminUrl);
    assert.deepEqual(balancer.urls, { url, adminUrl });
    await waitFor(
      () => nodes.every((n) => n.healthChecks > 0),
      'a first health check of every node',
    );
    assert.equal((await send(`${adminUrl}/healthz`)).status, 200);
  });

  it('fails listen() cleanly when a port is taken', async () => {
    const squatter = http.createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const { port } = squatter.address() as AddressInfo;
    try {
      balancer = createBalancer(makeConfig(nodes, { admin: { port, token: 'x'.repeat(16) } }));
      await assert.rejects(balancer.listen(), /EADDRINUSE/);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });

  it('spreads 30 requests evenly with round-robin', async () => {
    balancer = createBalancer(makeConfig(nodes));
    const { url } = await balancer.listen();
    const counts = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const reply = await send(`${url}/me`);
      const servedBy = String(reply.headers['x-served-by']);
      counts.set(servedBy, (counts.get(servedBy) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(counts), { a: 10, b: 10, c: 10 });
    assert.deepEqual(
      balancer.nodes.map((n) => n.requests),
      [10, 10, 10],
    );
  });

  it('reuses pooled connections to the nodes', async () => {
    balancer = createBalancer(makeConfig(nodes.slice(0, 1)));
    const { url } = await balancer.listen();
    const sockets = new Set<unknown>();
    nodes[0]!.server.on('request', (req: http.IncomingMessage) => {
      if (req.url !== '/healthz') sockets.add(req.socket);
    });
    for (let i = 0; i < 10; i++) assert.equal((await send(`${url}/me`)).status, 200);
    assert.equal(sockets.size, 1, 'ten sequential requests share one upstream connection');
  });

  it('sends least-connections traffic away from a busy node', async () => {
    balancer = createBalancer(makeConfig(nodes, { policy: 'least-connections' }));
    const { url } = await balancer.listen();
    const release: (() => void)[] = [];
    nodes[0]!.behaviour = (_req, res) => {
      release.push(() => res.end('late'));
      return true;
    };
    const slow = send(`${url}/slow`);
    await waitFor(() => release.length === 1, 'node a to hold a request');
    for (let i = 0; i < 6; i++) assert.notEqual(json<EchoBody>(await send(`${url}/me`)).node, 'a');
    release[0]!();
    assert.equal((await slow).text, 'late');
  });

  it('switches policy live', async () => {
    balancer = createBalancer(makeConfig(nodes));
    const { url } = await balancer.listen();
    assert.equal(balancer.policyName, 'round-robin');
    balancer.setPolicy('sticky');
    assert.equal(balancer.policyName, 'sticky');
    const reply = await send(`${url}/me`);
    assert.ok(reply.headers['set-cookie']?.some((c) => c.startsWith('SLB=')));
  });

  it('lets in-flight requests finish on close, then refuses connections', async () => {
    balancer = createBalancer(makeConfig(nodes));
    const { url } = await balancer.listen();
    const release: (() => void)[] = [];
    nodes[0]!.behaviour = (_req, res) => {
      release.push(() => res.end('finished'));
      return true;
    };
    const inFlight = send(`${url}/slow`);
    await waitFor(() => release.length === 1, 'the request to reach node a');
    const closing = balancer.close({ graceMs: 5000 });
    release[0]!();
    assert.equal((await inFlight).text, 'finished');
    await closing;
    assert.equal(balancer.health.pending, 0);
    await assert.rejects(send(`${url}/me`), /ECONNREFUSED/);
  });

  it('cuts requests still in flight when the grace period ends', async () => {
    balancer = createBalancer(makeConfig(nodes));
    const { url } = await balancer.listen();
    nodes[0]!.behaviour = () => true; // never answers
    const stuck = send(`${url}/stuck`);
    await waitFor(() => nodes[0]!.hits === 1, 'the request to reach node a');
    await balancer.close({ graceMs: 50 });
    await assert.rejects(stuck, /socket hang up|ECONNRESET/);
  });
});
