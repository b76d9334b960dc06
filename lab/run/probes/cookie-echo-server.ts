// The browser cookie probe's own loopback server: it sets one cookie of an
// exact size and reports what the browser sent back, so the probe measures
// Chromium's own limit and not the lab's.
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** The cookie's name: one byte, so a cookie of n bytes (name + value) has n - 1 value bytes. */
export const ECHO_COOKIE = 'p';

/**
 * GET /set?bytes=n: Set-Cookie p=<n-1 bytes>. GET /get: the bytes (name and
 * value) of the p cookie the browser sent, -1 when none. GET /clear: expires p. Any
 * other path: an empty page (the browser's origin).
 */
export class CookieEchoServer {
  readonly #server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/set') {
      const bytes = Number(url.searchParams.get('bytes'));
      response.setHeader(
        'set-cookie',
        `${ECHO_COOKIE}=${'v'.repeat(Math.max(0, bytes - 1))}; Path=/`,
      );
      response.end('set');
    } else if (url.pathname === '/get') {
      response.end(String(sentCookieBytes(request.headers.cookie)));
    } else if (url.pathname === '/clear') {
      response.setHeader('set-cookie', `${ECHO_COOKIE}=; Path=/; Max-Age=0`);
      response.end('cleared');
    } else {
      response.setHeader('content-type', 'text/html');
      response.end('<!doctype html><title>cookie probe</title>');
    }
  });

  /** Listens on a free loopback port; resolves with the origin. */
  async listen(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Bytes of the probe cookie's name and value as sent in a Cookie header; -1 when it is absent. */
function sentCookieBytes(header: string | undefined): number {
  for (const pair of (header ?? '').split('; ')) {
    if (pair.startsWith(`${ECHO_COOKIE}=`)) return Buffer.byteLength(pair) - 1;
  }
  return -1;
}
