import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { pino } from 'pino';
import { errorHandler } from '../../../nodes/error-handler.ts';
import { readJsonBody } from '../../../nodes/json-body.ts';
import { errorOf } from './harness.ts';

const LIMIT = 100;

describe('nodes/json-body', () => {
  let server: Server;
  let url: string;

  before(async () => {
    const app = new Koa();
    app.use(errorHandler(pino({ level: 'silent' })));
    app.use(async (ctx) => {
      ctx.body = { received: await readJsonBody(ctx, LIMIT) };
    });
    const handle = app.callback();
    server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  function post(body: RequestInit['body'], headers: Record<string, string> = {}) {
    return fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body,
      ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
    });
  }

  it('parses a JSON body, charset parameter and all', async () => {
    const response = await post('{"a":[1,"é"]}', {
      'Content-Type': 'application/json; charset=utf-8',
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { received: { a: [1, 'é'] } });
  });

  it('accepts a body of exactly the limit', async () => {
    const body = JSON.stringify({ s: 'x'.repeat(LIMIT - 8) });
    assert.equal(Buffer.byteLength(body), LIMIT);
    assert.equal((await post(body)).status, 200);
  });

  it('answers 413 BODY_TOO_LARGE from Content-Length alone, closing the connection', async () => {
    const response = await post(JSON.stringify({ s: 'x'.repeat(LIMIT) }));
    assert.equal(response.status, 413);
    assert.equal(response.headers.get('Connection'), 'close');
    assert.equal((await errorOf(response)).code, 'BODY_TOO_LARGE');
  });

  it('answers 413 for a chunked body that grows past the limit', async () => {
    const chunk = new TextEncoder().encode(`{"s":"${'x'.repeat(LIMIT * 2)}"}`);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(chunk);
        controller.close();
      },
    });
    const response = await post(stream);
    assert.equal(response.status, 413);
    assert.equal((await errorOf(response)).code, 'BODY_TOO_LARGE');
  });

  const badBodies: [string, RequestInit['body'], Record<string, string>?][] = [
    ['malformed JSON', '{"a":'],
    ['an empty body', ''],
    ['no body at all', undefined],
    ['invalid UTF-8', new Uint8Array([0x22, 0xff, 0xfe, 0x22])],
    ['a text/plain body', '{"a":1}', { 'Content-Type': 'text/plain' }],
    ['a form body', 'a=1', { 'Content-Type': 'application/x-www-form-urlencoded' }],
  ];
  for (const [what, body, headers] of badBodies) {
    it(`answers 400 BAD_JSON for ${what}`, async () => {
      const response = await post(body, headers);
      assert.equal(response.status, 400);
      assert.equal((await errorOf(response)).code, 'BAD_JSON');
    });
  }

  it('answers 415 for a compressed body', async () => {
    const response = await post('{}', { 'Content-Encoding': 'gzip' });
    assert.equal(response.status, 415);
    assert.equal((await errorOf(response)).code, 'UNSUPPORTED_ENCODING');
  });
});
