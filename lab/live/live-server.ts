// The live page's server (node:http, no framework): the page, its
// Server-Sent Events stream and, for a `lab up` topology, the admin panel's
// actions. Bound to 127.0.0.1 only. Requests naming another host are refused
// (a web page cannot reach it through a rebound DNS name), and an action must
// come from the page itself: same origin, and the random token the page
// carries, which another site cannot read. The balancer's admin token stays
// in this process; the page never sees it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LabError } from '../errors.ts';
import { parseActionRequest, type AdminActions } from './admin-actions.ts';
import type { LiveFeed, Sequenced } from './live-feed.ts';
import type { LivePage } from './page.ts';

const MAX_BODY = 4096;
/** A comment line this often keeps idle proxies and the browser from giving up on the stream. */
const HEARTBEAT_MS = 15000;

export interface LiveServerOptions {
  feed: LiveFeed;
  page: LivePage;
  /** The admin panel's actions; without them the panel is not offered. */
  actions?: AdminActions | undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY)
      throw new LabError('BAD_PARAMETER', `the request is over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class LiveServer {
  readonly #options: LiveServerOptions;
  /** Shown in the page, required on every action: what proves an action came from the page. */
  readonly #pageToken = randomBytes(24).toString('base64url');
  readonly #server: http.Server;
  readonly #streams = new Set<ServerResponse>();
  #port = 0;

  constructor(options: LiveServerOptions) {
    this.#options = options;
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) sendError(res, 500, 'UNEXPECTED', (error as Error).message);
        else res.destroy();
      });
    });
  }

  /** Listens on 127.0.0.1:`port` (0: a free one); resolves to the page's URL. */
  async listen(port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      const failed = (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new LabError(
                'PORT_BUSY',
                `port ${port} is taken: the live page cannot listen on it`,
                'pick another with --live-port, or leave it out for a free one',
              )
            : error,
        );
      this.#server.once('error', failed);
      this.#server.listen(port, '127.0.0.1', () => {
        this.#server.off('error', failed);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.#port}/`;
  }

  /** Ends every stream (the pages keep what they show) and stops listening. */
  async close(): Promise<void> {
    for (const stream of this.#streams) stream.end();
    this.#streams.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    // An ended stream flushes its last message; a connection still open after a second is cut.
    const cut = setTimeout(() => this.#server.closeAllConnections(), 1000);
    await closed;
    clearTimeout(cut);
  }

  /** The origins this server answers as: the page may be opened by address or as localhost. */
  #origins(): string[] {
    return [`127.0.0.1:${this.#port}`, `localhost:${this.#port}`];
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!this.#origins().includes(req.headers.host ?? '')) {
      sendError(res, 421, 'WRONG_HOST', 'this server answers only as 127.0.0.1 or localhost');
      return;
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (req.method === 'GET' && url.pathname === '/') return this.#sendPage(res);
    if (req.method === 'GET' && url.pathname === '/events') return this.#stream(req, res);
    if (req.method === 'POST' && url.pathname === '/actions') return this.#action(req, res);
    sendError(res, 404, 'NOT_FOUND', `no ${req.method} ${url.pathname} here`);
  }

  #sendPage(res: ServerResponse): void {
    const { html, policy } = this.#options.page.render(this.#pageToken);
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': policy,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
    });
    res.end(html);
  }

  #stream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-content-type-options': 'nosniff',
    });
    res.write('retry: 1000\n\n');
    const write = ({ seq, message }: Sequenced) =>
      res.write(`id: ${seq}\ndata: ${JSON.stringify(message)}\n\n`);
    // A page that reconnects says what it saw last; it gets only what came after.
    const after = Number(req.headers['last-event-id'] ?? 0);
    const unsubscribe = this.#options.feed.subscribe(
      write,
      Number.isInteger(after) && after > 0 ? after : 0,
    );
    const heartbeat = setInterval(() => res.write(': still here\n\n'), HEARTBEAT_MS);
    this.#streams.add(res);
    // A write to a page that has just gone: its 'close' follows and ends the subscription.
    res.on('error', () => undefined);
    res.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      this.#streams.delete(res);
    });
  }

  async #action(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const actions = this.#options.actions;
    if (!actions) {
      sendError(
        res,
        404,
        'NO_ADMIN',
        'the admin panel is for a topology started with lab up --live',
      );
      return;
    }
    // Same origin and the page's token: a page elsewhere can neither send the
    // header without a preflight this server never approves nor read the token.
    const origin = req.headers.origin ?? '';
    if (!this.#origins().some((allowed) => origin === `http://${allowed}`)) {
      sendError(res, 403, 'CROSS_ORIGIN', 'actions are accepted from the live page only');
      return;
    }
    const token = req.headers['x-live-token'];
    if (typeof token !== 'string' || !sameSecret(token, this.#pageToken)) {
      sendError(res, 403, 'BAD_PAGE_TOKEN', 'the page token is missing or stale: reload the page');
      return;
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      sendError(res, 415, 'BAD_PARAMETER', 'actions are JSON');
      return;
    }
    try {
      const request = parseActionRequest(JSON.parse(await readBody(req)) as unknown);
      sendJson(res, 200, { lines: await actions.perform(request) });
    } catch (error) {
      if (error instanceof SyntaxError) {
        sendError(res, 400, 'BAD_PARAMETER', 'the request is not JSON');
      } else if (error instanceof LabError) {
        sendError(res, error.code === 'BAD_PARAMETER' ? 400 : 409, error.code, error.toLine());
      } else {
        throw error;
      }
    }
  }
}
