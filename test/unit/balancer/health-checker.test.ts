import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HealthChecker } from '../../../balancer/health-checker.ts';
import { UpstreamPool } from '../../../balancer/upstream-pool.ts';
import type { Upstream } from '../../../balancer/upstream.ts';
import { waitFor } from './helpers.ts';

type Answer = 'ok' | 'fail' | 'hang';

describe('health checker', () => {
  let answer: Answer;
  let paths: string[];
  let server: http.Server;
  let pool: UpstreamPool;
  let node: Upstream;
  let checker: HealthChecker;

  before(async () => {
    server = http.createServer((req, res) => {
      paths.push(req.url ?? '');
      if (answer === 'hang') return;
      res.statusCode = answer === 'ok' ? 200 : 500;
      res.end(answer);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    answer = 'ok';
    paths = [];
    const port = (server.address() as AddressInfo).port;
    pool = new UpstreamPool([{ id: 'n1', url: `http://127.0.0.1:${port}` }]);
    node = pool.nodes[0]!;
    checker = new HealthChecker(pool, {
      path: '/healthz',
      intervalMs: 20,
      timeoutMs: 100,
      fall: 2,
      rise: 3,
    });
  });

  afterEach(() => {
    checker.stop();
    pool.close();
    server.closeAllConnections();
  });

  it('checks the configured path', async () => {
    assert.equal(await checker.checkNow(node), undefined);
    assert.deepEqual(paths, ['/healthz']);
  });

  it('marks a node down after `fall` consecutive failures, not before', async () => {
    answer = 'fail';
    assert.equal(await checker.checkNow(node), 'status 500');
    assert.equal(node.state, 'up', 'one failure is not enough');
    answer = 'ok';
    await checker.checkNow(node);
    answer = 'fail';
    await checker.checkNow(node);
    assert.equal(node.state, 'up', 'a success in between resets the streak');
    await checker.checkNow(node);
    assert.equal(node.state, 'down');
    assert.equal(checker.lastError(node), 'status 500');
  });

  it('brings a node back after `rise` consecutive successes', async () => {
    answer = 'fail';
    await checker.checkNow(node);
    await checker.checkNow(node);
    assert.equal(node.state, 'down');
    answer = 'ok';
    await checker.checkNow(node);
    await checker.checkNow(node);
    assert.equal(node.state, 'down');
    await checker.checkNow(node);
    assert.equal(node.state, 'up');
    assert.equal(checker.lastError(node), undefined);
  });

  it('needs `rise` fresh successes after a passive mark-down', async () => {
    for (let i = 0; i < 5; i++) await checker.checkNow(node);
    pool.setHealthy(node, false, 'passive: ECONNREFUSED');
    await checker.checkNow(node);
    await checker.checkNow(node);
    assert.equal(node.state, 'down', 'successes from before the failure do not count');
    await checker.checkNow(node);
    assert.equal(node.state, 'up');
  });

  it('counts a node that does not answer within timeoutMs as failed', async () => {
    answer = 'hang';
    const started = Date.now();
    assert.equal(await checker.checkNow(node), 'no answer within 100 ms');
    assert.ok(Date.now() - started < 1000);
  });

  it('counts a refused connection as failed', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const deadPool = new UpstreamPool([{ id: 'dead', url: `http://127.0.0.1:${port}` }]);
    const deadChecker = new HealthChecker(deadPool, {
      path: '/healthz',
      intervalMs: 1000,
      timeoutMs: 500,
      fall: 1,
      rise: 1,
    });
    try {
      assert.equal(await deadChecker.checkNow(deadPool.nodes[0]!), 'ECONNREFUSED');
      assert.equal(deadPool.nodes[0]!.state, 'down');
    } finally {
      deadPool.close();
    }
  });

  it('runs on its own timer once started, and stop() ends it', async () => {
    checker.start();
    answer = 'fail';
    await waitFor(() => node.state === 'down', 'the timer to mark the node down');
    answer = 'ok';
    await waitFor(() => node.state === 'up', 'the timer to bring the node back');
    assert.equal(checker.pending, 1);
    checker.stop();
    assert.equal(checker.pending, 0, 'no timer and no check left after stop()');
    await checker.checkNow(node);
    assert.equal(checker.pending, 0, 'an explicit check does not restart the timer');
  });

  it('stop() cuts a check in flight without counting it as a failure', async () => {
    answer = 'hang';
    checker.start();
    await waitFor(() => paths.length === 1, 'the first check to reach the node');
    checker.stop();
    assert.equal(checker.pending, 0);
    // Let the cancelled probe's promise settle before looking at its effects.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(checker.lastError(node), undefined);
    assert.equal(node.state, 'up');
  });

  it('keeps one check in flight per node', async () => {
    answer = 'hang';
    const first = checker.checkNow(node);
    assert.equal(await checker.checkNow(node), null, 'second check skipped');
    await first;
    await waitFor(() => paths.length === 1, 'the server to see the check');
    assert.equal(paths.length, 1);
  });
});
