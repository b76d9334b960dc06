// Shared test fixtures: tiny real HTTP nodes on port 0, a raw HTTP client
// (fetch forbids the hop-by-hop headers these tests need to send), bounded
// polling, and a valid config to start from.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BalancerConfig, BalancerConfigInput } from '../../../balancer/config.ts';
import { parseBalancerConfig } from '../../../balancer/config.ts';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const STICKY_SECRET = 'test-sticky-secret-0123456789abcdef';

export interface EchoBody {
  node: string;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export type Behaviour = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: string,
) => boolean;

export interface TestNode {
  readonly id: string;
  readonly url: string;
  readonly server: http.Server;
  /** Requests this node received, health checks not included. */
  hits: number;
  /** Health checks (GET /healthz) answered, and whether they pass. */
  healthChecks: number;
  healthy: boolean;
  /** Replace to make the node misbehave; return true when it handled the request. */
  behaviour: Behaviour | undefined;
  close(): Promise<void>;
}

/**
 * A node that answers every request with `X-Served-By: <id>` and a JSON echo
 * of what it received, unless `behaviour` takes over. `/healthz` answers 200
 * or 503 per `healthy` and is counted apart from client traffic.
 */
export async function startNode(id: string): Promise<TestNode> {
  const node: TestNode = {
    id,
    url: '',
    server: http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/healthz') {
          node.healthChecks++;
          res.statusCode = node.healthy ? 200 : 503;
          res.end();
          return;
        }
        node.hits++;
        const body = Buffer.concat(chunks).toString('utf8');
        if (node.behaviour?.(req, res, body)) return;
        const echo: EchoBody = {
          node: id,
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body,
        };
        res.setHeader('x-served-by', id);
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(echo));
      });
    }),
    hits: 0,
    healthChecks: 0,
    healthy: true,
    behaviour: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        if (!node.server.listening) return resolve();
        node.server.close(() => resolve());
        node.server.closeAllConnections();
      }),
  };
  await new Promise<void>((resolve) => node.server.listen(0, '127.0.0.1', resolve));
  (node as { url: string }).url = `http://127.0.0.1:${(node.server.address() as AddressInfo).port}`;
  return node;
}

export function makeConfig(
  nodes: readonly { id: string; url: string }[],
  overrides: Partial<BalancerConfigInput> = {},
): BalancerConfig {
  return parseBalancerConfig({
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0, token: ADMIN_TOKEN },
    nodes: nodes.map((n) => ({ id: n.id, url: n.url })),
    sticky: { secret: STICKY_SECRET },
    // Slow checks: balancer tests drive state through requests and the admin
    // API, and call checkNow() when they need a check.
    health: { intervalMs: 60_000, timeoutMs: 500, fall: 2, rise: 2 },
    ...overrides,
  });
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface SendOptions {
  method?: string;
  headers?: http.OutgoingHttpHeaders;
  body?: string | Buffer;
  /** Share a keep-alive agent between requests (default: a fresh connection each). */
  agent?: http.Agent;
}

/** One HTTP request with full control over headers. Rejects on socket errors. */
export function send(url: string, options: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: options.method ?? 'GET',
      headers: options.headers,
      agent: options.agent ?? false,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.end(options.body);
  });
}

export function json<T>(reply: Reply): T {
  return JSON.parse(reply.text) as T;
}

/** Polls `check` until it returns true; fails after `timeoutMs`. Never a fixed sleep. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 3000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface ErrorBody {
  error: { code: string; message: string };
}

/** Asserts an answer the balancer gave itself: status, code, JSON body, X-Served-By. */
export function assertBalancerError(reply: Reply, status: number, code: string): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.headers['x-served-by'], 'balancer');
  assert.match(String(reply.headers['content-type']), /application\/json/);
  const body = json<ErrorBody>(reply);
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, 'string');
}
