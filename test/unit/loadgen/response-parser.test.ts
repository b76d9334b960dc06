import assert from 'node:assert/strict';
import { ResponseParseError, ResponseParser } from '../../../loadgen/response-parser.ts';

const bytes = (text: string) => Buffer.from(text, 'latin1');

/** Feeds `text` in pieces of `size` bytes; returns the responses completed. */
function feed(parser: ResponseParser, text: string, size: number) {
  const done = [];
  for (let at = 0; at < text.length; at += size) {
    const response = parser.push(bytes(text.slice(at, at + size)));
    if (response) done.push(response);
  }
  return done;
}

const LENGTH =
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: a=1; Path=/\r\n' +
  'Set-Cookie: b=2\r\nX-Served-By: node-2\r\nContent-Length: 11\r\n\r\n{"ok":true}';
const CHUNKED =
  'HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '5\r\n{"err\r\n8;ext=1\r\nor":"x"}\r\n0\r\nTrailer: t\r\n\r\n';

describe('loadgen ResponseParser', () => {
  it('reads a Content-Length response however the bytes are split, headers as Node gives them', () => {
    for (const size of [1, 7, LENGTH.length]) {
      const [response, ...more] = feed(new ResponseParser(), LENGTH, size);
      assert.equal(more.length, 0);
      assert.equal(response?.status, 200);
      assert.equal(response?.body, '{"ok":true}');
      assert.deepEqual(response?.headers['set-cookie'], ['a=1; Path=/', 'b=2']);
      assert.equal(response?.headers['x-served-by'], 'node-2');
      assert.equal(response?.keepAlive, true);
    }
  });

  it('reads a chunked body (extensions and trailers too), and responses one after another', () => {
    const parser = new ResponseParser();
    for (const size of [3, CHUNKED.length]) {
      const [response] = feed(parser, CHUNKED, size);
      assert.equal(response?.status, 409);
      assert.equal(response?.body, '{"error":"x"}');
      assert.equal(parser.partial, false);
    }
    const [after] = feed(parser, LENGTH, 5);
    assert.equal(after?.body, '{"ok":true}');
  });

  it('skips 1xx answers; 204 has no body; Connection: close is not kept alive', () => {
    const parser = new ResponseParser();
    const [response] = feed(
      parser,
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n',
      4,
    );
    assert.deepEqual([response?.status, response?.body, response?.keepAlive], [204, '', false]);
  });

  it('a body without length ends with the connection; a cut one is lost', () => {
    const parser = new ResponseParser();
    assert.equal(parser.push(bytes('HTTP/1.1 200 OK\r\n\r\nhello ')), undefined);
    assert.equal(parser.push(bytes('world')), undefined);
    const response = parser.end();
    assert.deepEqual([response?.body, response?.keepAlive], ['hello world', false]);
    const cut = new ResponseParser();
    assert.equal(cut.push(bytes('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc')), undefined);
    assert.equal(cut.end(), undefined);
  });

  it('refuses what is not HTTP/1.x, with a stable code', () => {
    for (const text of [
      'SSH-2.0-OpenSSH\r\n\r\n',
      'HTTP/1.1 200 OK\r\nno colon\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nab',
    ]) {
      assert.throws(
        () => new ResponseParser().push(bytes(text)),
        (error: unknown) =>
          error instanceof ResponseParseError && error.code === 'HPE_INVALID_RESPONSE',
        text,
      );
    }
  });
});
