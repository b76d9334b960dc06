// The caps on what clients can make the balancer hold: open connections in
// all, open connections from one address, and buffered request bodies.
// Loopback has a whole /8, so 127.0.0.2 and 127.0.0.3 act as other clients.
import assert from 'node:assert/strict';
import net from 'node:net';
import { createBalancer, type Balancer } from '../../../balancer/balancer.ts';
import type { BalancerConfigInput } from '../../../balancer/config.ts';
import type { TestNode } from './helpers.ts';
import { makeConfig, startNode, waitFor } from './helpers.ts';
import { rawRequest, type RawResponse } from './raw-client.ts';

describe('request handler: connection and buffer caps', () => {
  let nodes: TestNode[];
  let balancer: Balancer;
  let port: number;
  const held: net.Socket[] = [];

  async function start(limits: BalancerConfigInput['limits']): Promise<void> {
    balancer = createBalancer(makeConfig(nodes, { limits }));
    port = Number(new URL((await balancer.listen()).url).port);
  }

  /** An open, idle client connection from `localAddress`, counted once the balancer saw it. */
  async function hold(localAddress: string): Promise<net.Socket> {
    const before = balancer.connections.open;
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    socket.on('error', () => {});
    held.push(socket);
    await waitFor(() => balancer.connections.open === before + 1, 'the connection to be counted');
    return socket;
  }

  async function get(localAddress: string): Promise<RawResponse> {
    const result = await rawRequest({
      port,
      localAddress,
      pieces: ['GET /x HTTP/1.1\r\nHost: x\r\n\r\n'],
      responses: 1,
    });
    assert.equal(result.responses.length, 1, `no answer (${result.ending})`);
    return result.responses[0]!;
  }

  function assertRefused(response: RawResponse, status: number, code: string): void {
    assert.equal(response.status, status, response.body.toString());
    assert.equal(
      (JSON.parse(response.body.toString()) as { error: { code: string } }).error.code,
      code,
    );
    assert.equal(response.headers.get('connection'), 'close');
    assert.equal(response.headers.get('retry-after'), '1');
  }

  beforeEach(async () => {
    nodes = await Promise.all(['a', 'b'].map((id) => startNode(id)));
  });

  afterEach(async () => {
    for (const socket of held.splice(0)) socket.destroy();
    await balancer?.close({ graceMs: 100 });
    await Promise.all(nodes.map((n) => n.close()));
  });

  it('answers 429 to an address over its share and serves the others', async () => {
    await start({ maxClientConnections: 10, maxConnectionsPerAddress: 2 });
    await hold('127.0.0.2');
    await hold('127.0.0.2');
    assertRefused(await get('127.0.0.2'), 429, 'ADDRESS_CONNECTION_LIMIT');
    assert.equal((await get('127.0.0.3')).status, 200, 'another address is served');
    assert.equal(nodes[0]!.hits + nodes[1]!.hits, 1, 'the refused request reached no node');
    assert.match(
      await balancer.metrics.render(),
      /^balancer_errors_total\{code="ADDRESS_CONNECTION_LIMIT"\} 1$/m,
    );
    for (const socket of held.splice(0)) socket.destroy();
    await waitFor(() => balancer.connections.open === 0, 'the held connections to close');
    assert.equal((await get('127.0.0.2')).status, 200, 'served again once under its share');
  });

  it('answers 503 when the balancer holds its maximum of connections', async () => {
    await start({ maxClientConnections: 2, maxConnectionsPerAddress: 2 });
    await hold('127.0.0.2');
    await hold('127.0.0.3');
    assertRefused(await get('127.0.0.4'), 503, 'TOO_MANY_CONNECTIONS');
    assert.equal(nodes[0]!.hits + nodes[1]!.hits, 0);
    assert.match(
      await balancer.metrics.render(),
      /^balancer_errors_total\{code="TOO_MANY_CONNECTIONS"\} 1$/m,
    );
  });

  it('closes a refused connection that sends nothing', async () => {
    await start({ maxClientConnections: 1, maxConnectionsPerAddress: 1 });
    await hold('127.0.0.2');
    const silent = await rawRequest({
      port,
      localAddress: '127.0.0.3',
      pieces: [],
      timeoutMs: 5000,
    });
    assert.notEqual(silent.ending, 'open', 'a refused connection gets no slot to idle in');
  });

  it('answers 503 BUFFERS_FULL when bodies in flight would pass maxBufferedBytes', async () => {
    await start({ maxBodyBytes: 1000, maxBufferedBytes: 1500 });
    // An upload that declares 1000 bytes and sends 10: its reservation holds.
    const slow = net.connect({ port, host: '127.0.0.1' });
    slow.on('error', () => {});
    held.push(slow);
    slow.write('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789');
    await waitFor(() => balancer.buffers.used === 1000, 'the first body to be reserved');
    assert.match(await balancer.metrics.render(), /^balancer_buffered_request_bytes 1000$/m);

    const declared = await rawRequest({
      port,
      pieces: ['POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 600\r\n\r\n', 'y'.repeat(600)],
      responses: 1,
    });
    assertRefused(declared.responses[0]!, 503, 'BUFFERS_FULL');
    // A chunked body has no declared size: it is refused as its bytes pass the cap.
    const chunk = 'z'.repeat(300);
    const chunked = await rawRequest({
      port,
      pieces: [
        'POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n',
        `12c\r\n${chunk}\r\n`,
        { pauseMs: 20 },
        `12c\r\n${chunk}\r\n0\r\n\r\n`,
      ],
      responses: 1,
    });
    assertRefused(chunked.responses[0]!, 503, 'BUFFERS_FULL');
    assert.equal(nodes[0]!.hits + nodes[1]!.hits, 0);

    slow.destroy();
    await waitFor(() => balancer.buffers.used === 0, 'the reservation to be released');
    const fits = await rawRequest({
      port,
      pieces: ['POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 600\r\n\r\n', 'y'.repeat(600)],
      responses: 1,
    });
    assert.equal(fits.responses[0]?.status, 200);
    await waitFor(() => balancer.buffers.used === 0, 'the finished request to release its bytes');
  });
});
