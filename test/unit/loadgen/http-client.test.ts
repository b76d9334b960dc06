import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { LoadClient, RequestFailed } from '../../../loadgen/http-client.ts';

/** A real Node server; `handle` answers each request. */
async function serve(handle: http.RequestListener): Promise<{
  url: URL;
  keepAliveTimeout: (ms: number) => void;
  close: () => Promise<void>;
}> {
  const server = http.createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return {
    url,
    keepAliveTimeout: (ms) => (server.keepAliveTimeout = ms),
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function failure(promise: Promise<unknown>): Promise<RequestFailed> {
  const error = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(error instanceof RequestFailed, `expected a RequestFailed, got ${String(error)}`);
  return error;
}

describe('loadgen LoadClient (its own HTTP/1.1 client)', () => {
  it('sends headers and body, reads any status, chunked or not, on reused keep-alive sockets', async () => {
    const sockets = new Set<unknown>();
    const server = await serve((request, response) => {
      sockets.add(request.socket);
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        response.setHeader('set-cookie', ['sid=1', 'SLB=x']);
        response.setHeader('x-served-by', 'node-1');
        response.statusCode = request.url === '/missing' ? 404 : 200;
        // No Content-Length on /stream: Node sends it chunked.
        if (request.url === '/stream') response.write('{"a":');
        response.end(
          request.url === '/stream'
            ? '1}'
            : JSON.stringify({ body, cookie: request.headers.cookie }),
        );
      });
    });
    const client = new LoadClient(server.url, { maxSockets: 2, timeoutMs: 2000 });
    try {
      const posted = await client.send({
        method: 'POST',
        path: '/echo',
        headers: { cookie: 'sid=1', 'content-type': 'application/json' },
        body: '{"é":1}',
      });
      assert.equal(posted.status, 200);
      assert.deepEqual(JSON.parse(posted.body), { body: '{"é":1}', cookie: 'sid=1' });
      assert.deepEqual(posted.headers['set-cookie'], ['sid=1', 'SLB=x']);
      assert.equal(posted.headers['x-served-by'], 'node-1');
      assert.ok(posted.latencyMs > 0);
      assert.equal(
        (await client.send({ method: 'GET', path: '/stream', headers: {} })).body,
        '{"a":1}',
      );
      assert.equal(
        (await client.send({ method: 'GET', path: '/missing', headers: {} })).status,
        404,
      );
      const parallel = await Promise.all(
        Array.from({ length: 6 }, () => client.send({ method: 'GET', path: '/', headers: {} })),
      );
      assert.equal(parallel.length, 6);
      assert.ok(sockets.size <= 2, `at most maxSockets connections, got ${sockets.size}`);
      const bytes = client.bytes();
      assert.ok(bytes.sent > 0 && bytes.received > bytes.sent, JSON.stringify(bytes));
    } finally {
      client.close();
      await server.close();
    }
  });

  it('does not reuse a connection the server may close now (idle near its Keep-Alive timeout)', async () => {
    const sockets: unknown[] = [];
    const server = await serve((request, response) => {
      if (!sockets.includes(request.socket)) sockets.push(request.socket);
      response.end('ok');
    });
    const client = new LoadClient(server.url, { maxSockets: 4, timeoutMs: 2000 });
    const get = () => client.send({ method: 'GET', path: '/', headers: {} });
    try {
      await get();
      await get();
      assert.equal(sockets.length, 1, 'Keep-Alive: timeout=5: reused at once');
      server.keepAliveTimeout(1000); // announces timeout=1: any idle socket is too close to it
      await get(); // answered with the new announcement
      await new Promise((resolve) => setTimeout(resolve, 20));
      await get();
      assert.equal(sockets.length, 2, 'a fresh connection instead of one the server may close');
    } finally {
      client.close();
      await server.close();
    }
  });

  it('a request past its deadline fails with `timeout`, timed at its full wait', async () => {
    const server = await serve(() => undefined); // never answers
    const client = new LoadClient(server.url, { maxSockets: 1, timeoutMs: 200 });
    try {
      const error = await failure(client.send({ method: 'GET', path: '/', headers: {} }));
      assert.equal(error.code, 'timeout');
      assert.ok(error.latencyMs >= 195 && error.latencyMs < 1000, `${error.latencyMs}`);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('a connection cut under a request is ECONNRESET; a closed port ECONNREFUSED; abortAll `aborted`', async () => {
    const server = await serve((request) => {
      if (request.url === '/cut') request.socket.destroy();
    });
    const client = new LoadClient(server.url, { maxSockets: 4, timeoutMs: 5000 });
    try {
      const cut = await failure(client.send({ method: 'GET', path: '/cut', headers: {} }));
      assert.equal(cut.code, 'ECONNRESET');
      const hanging = client.send({ method: 'GET', path: '/hang', headers: {} });
      setTimeout(() => client.abortAll(), 50);
      const aborted = await failure(hanging);
      assert.equal(aborted.aborted, true);
    } finally {
      client.close();
      await server.close();
    }
    const refused = new LoadClient(server.url, { maxSockets: 1, timeoutMs: 1000 });
    try {
      const error = await failure(refused.send({ method: 'GET', path: '/', headers: {} }));
      assert.equal(error.code, 'ECONNREFUSED');
    } finally {
      refused.close();
    }
  });
});
