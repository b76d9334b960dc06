// Starts node apps on real HTTP servers (port 0) for the tests and cleans up
// after them; plus the cookie helpers every route test needs.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { pino } from 'pino';
import type { Logger } from 'pino';
import { createNodeApp } from '../../../nodes/app.ts';
import type { NodeApp, NodeAppConfig, NodeAppOptions } from '../../../nodes/app.ts';
import type { StrategyConfig } from '../../../nodes/strategies/config.ts';
import { createStrategy } from '../../../nodes/strategies/index.ts';
import { ServerSessionStrategy } from '../../../nodes/strategies/server-session-strategy.ts';
import { MemorySessionStore } from '../../../store/memory-store.ts';
import type { SessionStore } from '../../../store/session-store.ts';

export const ADMIN_TOKEN = 'admin-token-0123456789';
export const NODE_ID = 'node-test';

export interface TestNode {
  url: string;
  /** The app and its live strategy. */
  node: NodeApp;
  /** The store of the latest sticky strategy (possibly wrapped); also closed by close(). */
  readonly store: SessionStore;
  /** The memory store underneath, for direct inspection. */
  readonly memory: MemorySessionStore;
  /** Shared by the app and the memory store; tests move it by hand. */
  clock: { now: number };
  /** What the app logged, one parsed JSON object per line. */
  logs: Record<string, unknown>[];
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface StartOptions {
  config?: Partial<NodeAppConfig>;
  idleTimeoutMs?: number;
  maxEntries?: number;
  /** Wraps the memory store, e.g. to fail or to delay some calls. */
  wrapStore?: (store: MemorySessionStore) => SessionStore;
  app?: Partial<NodeAppOptions>;
  /** The strategy the node starts with. Default sticky. */
  strategy?: StrategyConfig;
}

const running: TestNode[] = [];

// Every test file shares this hook: no server outlives its test.
afterEach(async () => {
  await Promise.all(running.splice(0).map((node) => node.close()));
});

export async function startNode(options: StartOptions = {}): Promise<TestNode> {
  const clock = { now: 1_000_000 };
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const memories: MemorySessionStore[] = [];
  const stores: SessionStore[] = [];
  const logs: Record<string, unknown>[] = [];
  const logger: Logger = pino(
    { level: 'info' },
    { write: (line: string) => logs.push(JSON.parse(line) as Record<string, unknown>) },
  );
  const node = createNodeApp({
    nodeId: NODE_ID,
    logger,
    now: () => clock.now,
    config: {
      demoPassword: 'secret',
      absoluteTimeoutMs: 8 * 3_600_000,
      idleTimeoutMs,
      maxEntries: options.maxEntries ?? 100_000,
      adminToken: ADMIN_TOKEN,
      ...options.config,
    },
    // Sticky over a memory store on the test clock, which tests can wrap and
    // inspect; every other strategy from the real factory.
    buildStrategy: (config, deps) => {
      if (config.name !== 'sticky') return createStrategy(config, deps);
      const memory = new MemorySessionStore({
        idleTimeoutMs,
        maxEntries: options.maxEntries,
        now: () => clock.now,
      });
      const store = options.wrapStore ? options.wrapStore(memory) : memory;
      memories.push(memory);
      stores.push(store);
      return Promise.resolve(
        new ServerSessionStrategy({
          name: 'sticky',
          variant: 'memory',
          store,
          absoluteTimeoutMs: deps.limits.absoluteTimeoutMs,
          now: deps.now,
          metrics: deps.metrics,
          cartWriteAttempts: deps.cartWriteAttempts,
        }),
      );
    },
    ...options.app,
  });
  await node.switchStrategy(options.strategy ?? { name: 'sticky' });
  const handle = node.app.callback();
  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const testNode: TestNode = {
    url,
    node,
    get store() {
      return latest(stores, 'store');
    },
    get memory() {
      return latest(memories, 'memory store');
    },
    clock,
    logs,
    fetch: (path, init) => fetch(url + path, init),
    close: async () => {
      await closeServer(server);
      await node.close();
      await Promise.all(memories.map((memory) => memory.close()));
    },
  };
  running.push(testNode);
  return testNode;
}

function latest<T>(list: T[], what: string): T {
  const last = list.at(-1);
  assert.ok(last, `this node never ran sticky, so it has no ${what}`);
  return last;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // fetch keeps connections alive; close would otherwise wait for them.
    server.closeAllConnections();
  });
}

/** Request options for a JSON POST, with optional extra headers. */
export function postJson(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** The `sid` Set-Cookie header of a response, if any. */
export function sessionSetCookie(response: Response): string | undefined {
  return response.headers.getSetCookie().find((cookie) => cookie.startsWith('sid='));
}

/** The session id a response set; fails the test when it set none. */
export function sessionIdOf(response: Response): string {
  const cookie = sessionSetCookie(response);
  assert.ok(cookie, 'expected a sid Set-Cookie');
  const id = /^sid=([^;]*)/.exec(cookie)?.[1];
  assert.ok(id, `no value in ${cookie}`);
  return id;
}

/** Logs `user` in and returns the Cookie header value to send afterwards. */
export async function login(node: TestNode, user = 'alice', cookie?: string): Promise<string> {
  const headers: Record<string, string> = cookie ? { Cookie: cookie } : {};
  const response = await node.fetch('/login', postJson({ user, password: 'secret' }, headers));
  assert.equal(response.status, 200, await response.clone().text());
  return `sid=${sessionIdOf(response)}`;
}

/** The JSON error body of a response, checked to have the documented shape. */
export async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
  assert.equal(typeof body.error?.code, 'string', JSON.stringify(body));
  assert.equal(typeof body.error?.message, 'string', JSON.stringify(body));
  return body.error as { code: string; message: string };
}

/** A store that forwards to `inner` except for the methods given. */
export function overrideStore(inner: SessionStore, overrides: Partial<SessionStore>): SessionStore {
  return {
    get: overrides.get ?? ((id) => inner.get(id)),
    create: overrides.create ?? ((record) => inner.create(record)),
    set: overrides.set ?? ((record, expected) => inner.set(record, expected)),
    destroy: overrides.destroy ?? ((id) => inner.destroy(id)),
    getAndTouch: overrides.getAndTouch ?? ((id, now) => inner.getAndTouch(id, now)),
    touch: overrides.touch ?? ((id, now) => inner.touch(id, now)),
    count: overrides.count ?? (() => inner.count()),
    ping: overrides.ping ?? (() => inner.ping()),
    close: overrides.close ?? (() => inner.close()),
  };
}

/** The Set-Cookie header a response set for cookie `name`, if any. */
export function setCookieOf(response: Response, name: string): string | undefined {
  return response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
}

/** The value of the cookie `name` a response set; fails the test when it set none. */
export function cookieValueOf(response: Response, name: string): string {
  const cookie = setCookieOf(response, name);
  assert.ok(cookie, `expected a ${name} Set-Cookie`);
  const value = new RegExp(`^${name}=([^;]*)`).exec(cookie)?.[1];
  assert.ok(value, `no value in ${cookie}`);
  return value;
}

/** Authorization header of the node's admin endpoints. */
export const ADMIN_HEADERS = { Authorization: `Bearer ${ADMIN_TOKEN}` };

/** PUT /admin/strategy with the admin token. */
export function switchStrategy(node: TestNode, body: unknown): Promise<Response> {
  return node.fetch('/admin/strategy', {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json', ...ADMIN_HEADERS },
    body: JSON.stringify(body),
  });
}

/** Scrapes /metrics and returns the value of the sample with exactly these labels (plus node). */
export async function metricOf(
  node: TestNode,
  name: string,
  labels: Record<string, string> = {},
): Promise<number | undefined> {
  const response = await node.fetch('/metrics');
  assert.equal(response.status, 200);
  return sampleOf(await response.text(), name, labels);
}

/** The value of the sample with exactly these labels (plus the node label), if any. */
export function sampleOf(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  const wanted = { ...labels, node: NODE_ID };
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)) {
      found[pair[1] ?? ''] = pair[2] ?? '';
    }
    if (isDeepStrictEqual(found, wanted)) return Number(match[3]);
  }
  return undefined;
}
