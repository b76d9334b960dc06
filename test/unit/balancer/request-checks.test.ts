// Requests Node's parser accepts but the balancer must refuse, and the order
// of answers when a pipelined request is refused: each was found by the
// abuse suite (test/integration/abuse) and is pinned here on raw sockets.
import assert from 'node:assert/strict';
import { createBalancer, type Balancer } from '../../../balancer/balancer.ts';
import type { EchoBody, TestNode } from './helpers.ts';
import { makeConfig, startNode } from './helpers.ts';
import { rawRequest, type RawResult } from './raw-client.ts';

describe('request checks (raw requests through an in-process balancer)', () => {
  let nodes: TestNode[];
  let balancer: Balancer;
  let port: number;

  beforeEach(async () => {
    nodes = await Promise.all(['a', 'b'].map((id) => startNode(id)));
    balancer = createBalancer(makeConfig(nodes));
    port = Number(new URL((await balancer.listen()).url).port);
  });

  afterEach(async () => {
    await balancer.close({ graceMs: 100 });
    await Promise.all(nodes.map((n) => n.close()));
  });

  const hits = () => nodes.reduce((sum, n) => sum + n.hits, 0);
  const send = (raw: string, responses = 1): Promise<RawResult> =>
    rawRequest({ port, pieces: [raw], responses, settleMs: 50, timeoutMs: 2000 });
  const codeOf = (result: RawResult, i = 0): string =>
    (JSON.parse(result.responses[i]!.body.toString()) as { error: { code: string } }).error.code;

  const refusals: [string, string, number, string][] = [
    ['duplicate Host', 'GET /x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400, 'BAD_REQUEST'],
    ['a fragment', 'GET /x#frag HTTP/1.1\r\nHost: a\r\n\r\n', 400, 'BAD_REQUEST'],
    [
      'an absolute-form target naming another host',
      'GET http://other/x HTTP/1.1\r\nHost: a\r\n\r\n',
      400,
      'BAD_REQUEST',
    ],
    [
      'Transfer-Encoding: gzip, chunked',
      'POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n',
      501,
      'UNSUPPORTED_TRANSFER_CODING',
    ],
    ['an HTTP/0.9 request line', 'GET /x\r\n\r\n', 505, 'HTTP_VERSION_NOT_SUPPORTED'],
    [
      'HTTP/2.0 in the request line',
      'GET /x HTTP/2.0\r\nHost: a\r\n\r\n',
      505,
      'HTTP_VERSION_NOT_SUPPORTED',
    ],
    ['CONNECT', 'CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n', 501, 'CONNECT_NOT_SUPPORTED'],
  ];
  for (const [what, raw, status, code] of refusals) {
    it(`refuses ${what} without asking a node`, async () => {
      const result = await send(raw);
      assert.equal(result.responses[0]?.status, status);
      assert.equal(codeOf(result), code);
      assert.equal(hits(), 0);
    });
  }

  it('accepts an absolute-form target whose authority is the Host, default port or not', async () => {
    const result = await send('GET http://a/x HTTP/1.1\r\nHost: A:80\r\n\r\n');
    assert.equal(result.responses[0]?.status, 200);
    assert.equal((JSON.parse(result.responses[0].body.toString()) as EchoBody).url, '/x');
  });

  it('answers a valid request before refusing the malformed one pipelined behind it', async () => {
    const result = await send('GET /first HTTP/1.1\r\nHost: a\r\n\r\nBAD\r\n\r\n', 2);
    assert.deepEqual(
      result.responses.map((r) => r.status),
      [200, 400],
    );
    assert.equal(hits(), 1);
  });

  it('ends the connection after a Connection: close answer, without answering what follows', async () => {
    const result = await send(
      'GET /first HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n',
      2,
    );
    assert.deepEqual(
      result.responses.map((r) => r.status),
      [200],
    );
    assert.equal(hits(), 1, 'the second request never reached a node');
  });

  it('never forwards a request pipelined behind a refused one', async () => {
    // A refused chunked POST whose body is followed by a complete GET.
    const result = await send(
      'POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n' +
        'GET /behind HTTP/1.1\r\nHost: a\r\n\r\n',
      2,
    );
    assert.deepEqual(
      result.responses.map((r) => r.status),
      [501],
    );
    assert.notEqual(result.ending, 'open');
    assert.equal(hits(), 0);
  });
});
