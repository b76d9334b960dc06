// Who is charged when a request fails: a client that stops reading is not a
// node error, and a request that may have reached a node is never repeated
// unless it is idempotent, whatever the socket error is called.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { createBalancer, type Balancer } from '../../../balancer/balancer.ts';
import type { BalancerConfigInput } from '../../../balancer/config.ts';
import type { EchoBody, TestNode } from './helpers.ts';
import { assertBalancerError, json, makeConfig, send, startNode, waitFor } from './helpers.ts';
import { rawRequest } from './raw-client.ts';
import net from 'node:net';

describe('request handler: blaming the right party', () => {
  let nodes: TestNode[];
  let balancer: Balancer;
  let url: string;

  async function start(overrides: Partial<BalancerConfigInput> = {}): Promise<void> {
    balancer = createBalancer(makeConfig(nodes, overrides));
    ({ url } = await balancer.listen());
  }

  beforeEach(async () => {
    nodes = await Promise.all(['a', 'b', 'c'].map((id) => startNode(id)));
  });

  afterEach(async () => {
    await balancer?.close({ graceMs: 100 });
    await Promise.all(nodes.map((n) => n.close()));
  });

  /** Makes node a stream an endless body as fast as its client takes it. */
  function endlessBody(node: TestNode): { stop: () => void } {
    let stopped = false;
    node.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-length': String(1 << 30) });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const more = (): void => {
        while (!stopped && !res.destroyed)
          if (!res.write(chunk)) return void res.once('drain', more);
      };
      more();
      return true;
    };
    return { stop: () => (stopped = true) };
  }

  it('charges a client that stops reading, not the node, and cuts it after clientIdleTimeoutMs', async () => {
    await start({ limits: { upstreamTimeoutMs: 200, clientIdleTimeoutMs: 800 } });
    const body = endlessBody(nodes[0]!);
    const { port } = new URL(url);
    const client = net.connect(Number(port), '127.0.0.1');
    const started = Date.now();
    try {
      await new Promise<void>((resolve) => client.once('connect', resolve));
      client.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n');
      // Read the head and a little body, then stop reading for good: every
      // buffer between the node and this socket fills up.
      await new Promise<void>((resolve) => client.once('data', () => resolve()));
      client.pause();
      await waitFor(
        () => balancer.metrics.totals.errors.CLIENT_STALLED === 1,
        'the stalled client to be cut',
        5000,
      );
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 800, `cut after ${elapsed} ms, before clientIdleTimeoutMs`);
      const node = balancer.pool.get('a')!;
      assert.equal(node.errors, 0, 'the node was paused by the balancer, not idle');
      assert.equal(node.state, 'up');
      assert.equal(balancer.metrics.totals.errors.UPSTREAM_ERROR, undefined);
      assert.match(
        await balancer.metrics.render(),
        /^balancer_errors_total\{code="CLIENT_STALLED"\} 1$/m,
      );
      await waitFor(() => node.active === 0, 'the upstream request to be released');
    } finally {
      body.stop();
      client.destroy();
    }
    nodes[0]!.behaviour = undefined;
    assert.equal((await send(`${url}/next`)).status, 200);
  });

  it('still charges the node that stops sending while its client reads', async () => {
    await start({ limits: { upstreamTimeoutMs: 200, clientIdleTimeoutMs: 10_000 } });
    nodes[0]!.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial'); // and nothing more
      return true;
    };
    const { port } = new URL(url);
    const result = await rawRequest({
      port: Number(port),
      pieces: ['GET /stall HTTP/1.1\r\nHost: x\r\n\r\n'],
      timeoutMs: 3000,
    });
    assert.notEqual(result.ending, 'open', 'the client connection was cut');
    assert.equal(result.responses.length, 0, 'no complete response');
    assert.equal(balancer.pool.get('a')!.errors, 1);
    assert.equal(balancer.metrics.totals.errors.UPSTREAM_ERROR, 1);
    assert.equal(balancer.metrics.totals.errors.CLIENT_STALLED, undefined);
  });

  /** Node a's behaviour: fail the balancer's connection with `code` once the request arrived. */
  function failEstablished(code: string): void {
    nodes[0]!.behaviour = () => {
      const agent = balancer.pool.get('a')!.agent;
      const sockets = Object.values(agent.sockets).flat() as Socket[];
      const error = Object.assign(new Error(`simulated ${code}`), { code });
      for (const socket of sockets) socket.destroy(error);
      return true;
    };
  }

  for (const code of ['EHOSTUNREACH', 'ENETUNREACH']) {
    it(`does not retry a POST after ${code} on an established connection`, async () => {
      await start();
      failEstablished(code);
      assertBalancerError(
        await send(`${url}/cart/items`, { method: 'POST', body: '{"sku":"x"}' }),
        502,
        'UPSTREAM_ERROR',
      );
      assert.equal(nodes[0]!.hits, 1, 'the node had received the POST');
      assert.equal(nodes[1]!.hits + nodes[2]!.hits, 0, 'the write was not repeated elsewhere');
    });
  }

  it('retries a GET after EHOSTUNREACH on an established connection', async () => {
    await start();
    failEstablished('EHOSTUNREACH');
    const reply = await send(`${url}/me`);
    assert.equal(reply.status, 200);
    assert.notEqual(json<EchoBody>(reply).node, 'a');
  });

  it('retries a POST that never left: the node refused the connection', async () => {
    await start();
    await nodes[0]!.close();
    const reply = await send(`${url}/cart/items`, { method: 'POST', body: '{"sku":"y"}' });
    assert.equal(reply.status, 200);
    assert.equal(json<EchoBody>(reply).body, '{"sku":"y"}');
    assert.equal(balancer.metrics.totals.retries, 1);
  });
});
