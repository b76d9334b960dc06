// The public request path end to end, in process: a real balancer in front of
// tiny real nodes on port 0.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { createBalancer, type Balancer } from '../../../balancer/balancer.ts';
import type { BalancerConfigInput } from '../../../balancer/config.ts';
import type { EchoBody, TestNode } from './helpers.ts';
import { assertBalancerError, json, makeConfig, send, startNode, waitFor } from './helpers.ts';

/** The checks of makeConfig: slow, so requests alone drive node state. */
const quietChecks = { intervalMs: 60_000, timeoutMs: 500, fall: 2, rise: 2 };

describe('request handler (in-process balancer)', () => {
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

  it('relays status, headers and body of the node', async () => {
    await start();
    nodes[0]!.behaviour = (_req, res) => {
      res.writeHead(201, { 'x-served-by': 'a', 'set-cookie': ['s=1', 't=2'], 'x-app': 'yes' });
      res.end('created');
      return true;
    };
    const reply = await send(`${url}/items?x=1`);
    assert.equal(reply.status, 201);
    assert.equal(reply.text, 'created');
    assert.equal(reply.headers['x-served-by'], 'a');
    assert.equal(reply.headers['x-app'], 'yes');
    assert.deepEqual(reply.headers['set-cookie'], ['s=1', 't=2']);
  });

  it('forwards method, path, query and a buffered body', async () => {
    await start();
    const payload = JSON.stringify({ sku: 'x', qty: 2 });
    const reply = await send(`${url}/cart/items?trace=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    });
    const echo = json<EchoBody>(reply);
    assert.equal(echo.method, 'POST');
    assert.equal(echo.url, '/cart/items?trace=1');
    assert.equal(echo.body, payload);
    assert.equal(echo.headers['content-length'], String(Buffer.byteLength(payload)));
  });

  it('retries a dead node elsewhere and marks it down after errorLimit connect failures', async () => {
    await start({ health: { ...quietChecks, errorLimit: 3 } });
    await nodes[0]!.close();
    // Round-robin starts at node a: the first request hits the dead port.
    const payload = 'x'.repeat(5000);
    const first = await send(`${url}/cart/items`, { method: 'POST', body: payload });
    assert.equal(first.status, 200);
    assert.notEqual(json<EchoBody>(first).node, 'a');
    assert.equal(json<EchoBody>(first).body, payload, 'the retry resent the whole body');
    assert.equal(balancer.pool.get('a')!.state, 'up', 'one connect failure is not a dead node');
    assert.equal(balancer.metrics.totals.retries, 1);
    assert.match(await balancer.metrics.render(), /^balancer_retries_total\{node="a"\} 1$/m);
    for (let i = 0; i < 20 && balancer.pool.get('a')!.errors < 3; i++) {
      assert.equal((await send(`${url}/x`)).status, 200, 'every failure was retried elsewhere');
    }
    assert.equal(balancer.pool.get('a')!.errors, 3);
    assert.equal(balancer.pool.get('a')!.state, 'down', 'the third consecutive failure');
    for (let i = 0; i < 6; i++) assert.equal((await send(`${url}/x`)).status, 200);
    assert.equal(balancer.metrics.totals.retries, 3, 'a down node gets no more traffic');
  });

  it('answers 502 UPSTREAM_UNREACHABLE when retries run out', async () => {
    await start({ limits: { retries: 1 }, health: { ...quietChecks, errorLimit: 1 } });
    await Promise.all(nodes.map((n) => n.close()));
    const reply = await send(`${url}/x`);
    assertBalancerError(reply, 502, 'UPSTREAM_UNREACHABLE');
    assert.equal(
      balancer.nodes.filter((n) => n.state === 'down').length,
      2,
      'two attempts, two nodes marked down',
    );
    // The client learns which nodes its request went to: the two now marked down.
    assert.deepEqual(
      String(reply.headers['x-upstream-tried']).split(',').sort(),
      balancer.nodes
        .filter((n) => n.state === 'down')
        .map((n) => n.id)
        .sort(),
    );
  });

  it('never ejects the last node up on request errors; the health checks still can', async () => {
    await start({ health: { ...quietChecks, errorLimit: 1 } });
    for (const id of ['b', 'c']) balancer.pool.setMode(balancer.pool.get(id)!, 'disabled', 'test');
    await nodes[0]!.close();
    assertBalancerError(await send(`${url}/x`), 502, 'UPSTREAM_UNREACHABLE');
    const a = balancer.pool.get('a')!;
    assert.equal(a.state, 'up', 'ejecting it would leave no node at all');
    assert.match(
      await balancer.metrics.render(),
      /^balancer_passive_markdown_refused_total\{node="a"\} 1$/m,
    );
    // checkNow() skips a check while another is in flight (the one listen() started).
    await waitFor(async () => {
      await balancer.health.checkNow(a);
      return a.state === 'down';
    }, 'two failed checks (fall 2) to mark it down');
  });

  it('answers 503 NO_UPSTREAM when no node is eligible', async () => {
    await start();
    for (const node of balancer.nodes) balancer.pool.setMode(node, 'disabled', 'test');
    const reply = await send(`${url}/x`);
    assertBalancerError(reply, 503, 'NO_UPSTREAM');
    assert.equal(reply.headers['x-upstream-tried'], undefined, 'no node was tried');
    assert.equal(
      nodes.reduce((sum, n) => sum + n.hits, 0),
      0,
    );
  });

  it('does not retry a POST whose connection broke after it was sent', async () => {
    await start();
    nodes[0]!.behaviour = (req) => {
      req.socket.destroy();
      return true;
    };
    assertBalancerError(
      await send(`${url}/cart/items`, { method: 'POST', body: '{}' }),
      502,
      'UPSTREAM_ERROR',
    );
    assert.equal(nodes[1]!.hits + nodes[2]!.hits, 0, 'the write was not repeated elsewhere');
    assert.equal(balancer.pool.get('a')!.errors, 1);
    assert.equal(balancer.pool.get('a')!.state, 'up', 'one reset is below the error limit');
  });

  it('retries a GET whose connection broke before any response', async () => {
    await start();
    nodes[0]!.behaviour = (req) => {
      req.socket.destroy();
      return true;
    };
    const reply = await send(`${url}/me`);
    assert.equal(reply.status, 200);
    assert.notEqual(json<EchoBody>(reply).node, 'a');
    assert.equal(balancer.metrics.totals.retries, 1);
  });

  it('does not condemn a node for a reset on a pooled connection', async () => {
    await start();
    for (let i = 0; i < 3; i++) await send(`${url}/warm`); // a, b, c each pool a connection
    nodes[0]!.behaviour = (req) => {
      req.socket.destroy();
      return true;
    };
    const reply = await send(`${url}/me`);
    assert.equal(reply.status, 200, 'the GET was retried elsewhere');
    assert.notEqual(json<EchoBody>(reply).node, 'a');
    assert.equal(balancer.pool.get('a')!.state, 'up', 'could have been the keep-alive race');
    assert.equal(balancer.pool.get('a')!.errors, 1);
  });

  it('abandons the upstream request when the client goes away', async () => {
    await start();
    let upstreamClosed = false;
    nodes[0]!.behaviour = (req, res) => {
      res.on('close', () => (upstreamClosed = true));
      return true; // holds the request
    };
    const client = http.request(`${url}/hold`, { agent: false });
    client.on('error', () => {});
    client.end();
    await waitFor(() => balancer.pool.get('a')!.active === 1, 'the request to reach node a');
    client.destroy();
    await waitFor(() => upstreamClosed, 'the node to see its connection closed');
    await waitFor(() => balancer.pool.get('a')!.active === 0, 'the in-flight count to drop');
    assert.equal(balancer.pool.get('a')!.errors, 0, 'a client leaving is not a node error');
    assert.equal((await send(`${url}/next`)).status, 200);
  });

  it('cuts the client connection when a node fails mid-response, and keeps serving', async () => {
    await start();
    nodes[0]!.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      res.write('partial');
      setImmediate(() => res.socket?.destroy());
      return true;
    };
    await assert.rejects(send(`${url}/big`), /aborted|ECONNRESET|socket hang up/);
    await waitFor(
      () => balancer.metrics.totals.errors.UPSTREAM_ERROR === 1,
      'the error to be counted',
    );
    assert.equal((await send(`${url}/next`)).status, 200);
  });

  it('cuts the client connection when a node stops sending mid-response', async () => {
    await start({ limits: { upstreamTimeoutMs: 150 } });
    nodes[0]!.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-length': '1000' });
      // Four chunks 60 ms apart: a body that keeps coming outlives the
      // timeout; then it stops and never sends the rest.
      let left = 4;
      const drip = setInterval(() => {
        res.write('partial');
        if (--left === 0) clearInterval(drip);
      }, 60);
      res.on('close', () => clearInterval(drip));
      return true;
    };
    const started = Date.now();
    await assert.rejects(send(`${url}/stall`), /aborted|ECONNRESET|socket hang up/);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 300, `cut after ${elapsed} ms, while the body was still coming`);
    assert.ok(elapsed < 2000, `cut only after ${elapsed} ms`);
    assert.equal(balancer.pool.get('a')!.errors, 1);
    assert.equal(balancer.pool.get('a')!.state, 'up', 'slow is not dead');
    assert.equal(balancer.metrics.totals.errors.UPSTREAM_ERROR, 1);
    assert.equal((await send(`${url}/next`)).status, 200);
  });

  it('relays a large body intact to a client that reads slowly', async () => {
    await start();
    const chunk = Buffer.alloc(64 * 1024);
    const chunks = 128; // 8 MiB: far beyond every socket and stream buffer
    const expected = createHash('sha256');
    for (let i = 0; i < chunks; i++) expected.update(chunk.fill(i));
    nodes[0]!.behaviour = (_req, res) => {
      res.writeHead(200, { 'content-length': String(chunk.length * chunks) });
      let sent = 0;
      const more = (): void => {
        while (sent < chunks) {
          if (!res.write(Buffer.from(chunk.fill(sent++)))) return void res.once('drain', more);
        }
        res.end();
      };
      more();
      return true;
    };
    const received = await new Promise<{ length: number; digest: string }>((resolve, reject) => {
      const req = http.get(`${url}/big`, { agent: false }, (res) => {
        const hash = createHash('sha256');
        let length = 0;
        res.on('data', (c: Buffer) => {
          hash.update(c);
          length += c.length;
          // Stop reading for a turn of the event loop after every chunk, so
          // the balancer has to hold back the node instead of buffering.
          res.pause();
          setImmediate(() => res.resume());
        });
        res.on('end', () => resolve({ length, digest: hash.digest('hex') }));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    assert.equal(received.length, chunk.length * chunks);
    assert.equal(received.digest, expected.digest('hex'));
  });

  it('answers 504 UPSTREAM_TIMEOUT when a node does not answer in time', async () => {
    await start({ limits: { upstreamTimeoutMs: 150 } });
    nodes[0]!.behaviour = () => true; // never answers
    const started = Date.now();
    assertBalancerError(await send(`${url}/slow`), 504, 'UPSTREAM_TIMEOUT');
    assert.ok(Date.now() - started < 2000);
    assert.equal(balancer.pool.get('a')!.state, 'up', 'slow is not dead');
    assert.equal(balancer.pool.get('a')!.errors, 1);
  });

  it('answers 504, not a connect failure, when a request waits for a pooled socket too long', async () => {
    await start({ limits: { upstreamTimeoutMs: 300 } });
    for (const id of ['b', 'c']) balancer.pool.setMode(balancer.pool.get(id)!, 'disabled', 'test');
    // Responses that keep trickling in hold every one of the agent's 128 sockets.
    nodes[0]!.behaviour = (_req, res) => {
      res.writeHead(200);
      const drip = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(drip));
      return true;
    };
    const streams = Array.from({ length: 128 }, () => {
      const req = http.get(`${url}/drip`, { agent: false }, (res) => res.resume());
      req.on('error', () => {});
      return req;
    });
    try {
      await waitFor(() => nodes[0]!.hits === 128, 'every pooled socket to be busy');
      assertBalancerError(await send(`${url}/queued`), 504, 'UPSTREAM_TIMEOUT');
      assert.equal(nodes[0]!.hits, 128, 'the queued request never reached the node');
      assert.equal(balancer.pool.get('a')!.state, 'up', 'a full pool is not a dead node');
    } finally {
      for (const req of streams) req.destroy();
    }
  });

  it('answers 502 UPSTREAM_ERROR for a response it cannot parse', async () => {
    await start();
    nodes[0]!.behaviour = (req) => {
      req.socket.end('HTTP/1.1 abc garbage\r\n\r\n');
      return true;
    };
    assertBalancerError(await send(`${url}/x`), 502, 'UPSTREAM_ERROR');
  });

  it('relays a complete answer the node follows with stray bytes, and drops that connection', async () => {
    await start();
    nodes[0]!.behaviour = (req) => {
      // A 204 carries no body: "hello" can only be read as the next response.
      req.socket.end('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello');
      return true;
    };
    const reply = await send(`${url}/x`);
    assert.equal(reply.status, 204);
    assert.equal(balancer.pool.get('a')!.errors, 1, "the stray bytes are the node's fault");
    assert.equal(balancer.metrics.totals.proxied['2xx'], 1);
  });

  it('replaces client-supplied forwarding headers', async () => {
    await start();
    const reply = await send(`${url}/me`, {
      headers: {
        host: 'shop.example:8080',
        'x-forwarded-for': '6.6.6.6, 7.7.7.7',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example',
        forwarded: 'for=6.6.6.6',
      },
    });
    const { headers } = json<EchoBody>(reply);
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(headers['x-forwarded-host'], 'shop.example:8080');
    assert.equal(headers.host, 'shop.example:8080', 'Host is passed through');
    assert.equal(headers.forwarded, undefined);
  });

  it('strips hop-by-hop headers in both directions', async () => {
    await start();
    nodes[0]!.behaviour = (req, res) => {
      res.writeHead(200, {
        'x-served-by': 'a',
        'x-request-headers': JSON.stringify(req.headers),
        connection: 'keep-alive, X-Node-Hop',
        'x-node-hop': 'secret',
        'keep-alive': 'timeout=99',
        'proxy-connection': 'keep-alive',
        trailer: 'x-node-trailer',
        upgrade: 'h2c',
        'x-node-end2end': 'kept',
      });
      res.end('ok');
      return true;
    };
    const reply = await send(`${url}/x`, {
      headers: {
        connection: 'keep-alive, X-Client-Hop',
        'x-client-hop': 'secret',
        'keep-alive': 'timeout=5',
        'proxy-connection': 'keep-alive',
        'proxy-authorization': 'Basic Zm9vOmJhcg==',
        te: 'trailers',
        trailer: 'x-client-trailer',
        'transfer-encoding': 'chunked',
        upgrade: 'h2c',
        'x-client-end2end': 'kept',
      },
      body: 'chunked body',
    });
    assert.equal(reply.status, 200);
    const seen = JSON.parse(String(reply.headers['x-request-headers'])) as http.IncomingHttpHeaders;
    for (const name of [
      'x-client-hop',
      'keep-alive',
      'proxy-connection',
      'proxy-authorization',
      'te',
      'trailer',
      'transfer-encoding',
      'upgrade',
    ]) {
      assert.equal(seen[name], undefined, `node received ${name}`);
    }
    // The chunked body reached the node re-framed by its length.
    assert.equal(seen['content-length'], String('chunked body'.length));
    assert.notEqual(seen.connection, 'keep-alive, X-Client-Hop');
    assert.equal(seen['x-client-end2end'], 'kept');
    for (const name of ['x-node-hop', 'proxy-connection', 'trailer', 'upgrade']) {
      assert.equal(reply.headers[name], undefined, `client received ${name}`);
    }
    assert.notEqual(reply.headers['keep-alive'], 'timeout=99');
    assert.equal(reply.headers['x-node-end2end'], 'kept');
  });

  it('answers 431 to oversized headers and keeps serving', async () => {
    await start({ limits: { maxHeaderBytes: 2048 } });
    const reply = await send(`${url}/x`, { headers: { 'x-big': 'a'.repeat(8192) } });
    assertBalancerError(reply, 431, 'HEADERS_TOO_LARGE');
    assert.equal(
      nodes.reduce((sum, n) => sum + n.hits, 0),
      0,
    );
    assert.equal((await send(`${url}/x`)).status, 200);
  });

  it('answers 413 BODY_TOO_LARGE for declared and chunked bodies over the limit', async () => {
    await start({ limits: { maxBodyBytes: 1024 } });
    const big = 'b'.repeat(4096);
    assertBalancerError(
      await send(`${url}/x`, { method: 'POST', body: big }),
      413,
      'BODY_TOO_LARGE',
    );
    const chunked = await new Promise<{
      status: number;
      headers: http.IncomingHttpHeaders;
      text: string;
    }>((resolve, reject) => {
      const req = http.request(`${url}/x`, { method: 'POST', agent: false });
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      });
      req.write(big.slice(0, 800));
      req.end(big.slice(800));
    });
    assertBalancerError(chunked, 413, 'BODY_TOO_LARGE');
    assert.equal(
      nodes.reduce((sum, n) => sum + n.hits, 0),
      0,
    );
  });

  it('answers 404 to /admin paths in any spelling without asking a node', async () => {
    await start();
    for (const path of ['/admin', '/admin/sessions', '/ADMIN/x', '//admin', '/%61dmin/x']) {
      assertBalancerError(await send(`${url}${path}`), 404, 'NOT_FOUND');
    }
    assert.equal(
      nodes.reduce((sum, n) => sum + n.hits, 0),
      0,
    );
    assert.equal((await send(`${url}/administer`)).status, 404);
    assert.equal((await send(`${url}/me/admin`)).status, 200);
  });

  it('answers 404 to an absolute-form /admin target too, which becomes /admin only after parsing', async () => {
    await start();
    const { port } = new URL(url);
    const status = await new Promise<number | undefined>((resolve, reject) => {
      // The request line carries the whole URL: `GET http://x/admin/status HTTP/1.1`.
      const req = http.request({
        host: '127.0.0.1',
        port,
        path: 'http://x/admin/status',
        // The same authority as the target: a mismatch alone is refused with 400.
        headers: { host: 'x' },
        agent: false,
      });
      req.on('error', reject);
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.end();
    });
    assert.equal(status, 404);
    assert.equal(
      nodes.reduce((sum, n) => sum + n.hits, 0),
      0,
      'no node saw the request',
    );
  });

  it('answers 501 to WebSocket upgrades', async () => {
    await start();
    const reply = await send(`${url}/ws`, {
      headers: { connection: 'Upgrade', upgrade: 'websocket' },
    });
    assertBalancerError(reply, 501, 'UPGRADE_NOT_SUPPORTED');
  });

  it('survives clients that abort mid-body', async () => {
    await start();
    await new Promise<void>((resolve) => {
      const req = http.request(`${url}/x`, {
        method: 'POST',
        agent: false,
        headers: { 'content-length': '100000' },
      });
      req.on('error', () => resolve());
      req.write('x'.repeat(1000), () => {
        req.destroy();
        resolve();
      });
    });
    assert.equal((await send(`${url}/x`)).status, 200);
    assert.equal(
      nodes.reduce((sum, n) => sum + n.hits, 0),
      1,
      'the aborted request never reached a node',
    );
  });
});
