// A minimal node around the jwt strategy for its integration tests: the real
// strategy, a real Redis, the node's error handler, and just enough routes to
// drive login, refresh, logout and the cart over HTTP. The workload's real
// routes live elsewhere; these only call the SessionStrategy interface.
import { Router } from '@koa/router';
import Koa from 'koa';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import { addToCart } from '../../../nodes/cart.ts';
import { errorHandler } from '../../../nodes/error-handler.ts';
import { readJsonBody } from '../../../nodes/json-body.ts';
import type { SessionMetrics } from '../../../nodes/metrics.ts';
import { createJwtStrategy } from '../../../nodes/strategies/jwt/index.ts';
import type { JwtStrategy, JwtStrategyInput } from '../../../nodes/strategies/jwt/index.ts';

export interface JwtNode {
  url: string;
  strategy: JwtStrategy;
  /** The strategy's clock (epoch ms); tests move it to cross expiries. */
  clock: { now: number };
  /** The session counters the strategy was given. */
  metrics: SessionMetrics;
  fetch(
    path: string,
    init?: { body?: unknown; token?: string; method?: string },
  ): Promise<Response>;
  close(): Promise<void>;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** Starts the strategy (ready) behind a tiny Koa app on a free port. */
export async function startJwtNode(
  config: JwtStrategyInput,
  clock = { now: Date.now() },
  absoluteTimeoutMs?: number,
): Promise<JwtNode> {
  const metrics = sessionMetrics();
  const strategy = await createJwtStrategy(config, {
    nodeId: 'node-jwt-test',
    now: () => clock.now,
    logger: pino({ level: 'silent' }),
    metrics,
    ...(absoluteTimeoutMs !== undefined && { absoluteTimeoutMs }),
  });
  await strategy.ready();
  const app = new Koa();
  const router = new Router();
  // Only these tests call these routes: the body is trusted, not validated.
  const body = async (ctx: Koa.Context) =>
    (await readJsonBody(ctx)) as { user: string; refreshToken: string; sku: string; qty: number };
  router.post('/login', async (ctx) => {
    const { user } = await body(ctx);
    ctx.body = { user, ...(await strategy.login(ctx, user)) };
  });
  router.post('/auth/refresh', async (ctx) => {
    ctx.body = await strategy.refresh(ctx, (await body(ctx)).refreshToken);
  });
  // As the node's route: a refresh token in the body is enough.
  router.post('/logout', async (ctx) => {
    const refreshToken = ctx.is('application/json') ? (await body(ctx)).refreshToken : undefined;
    if (refreshToken !== undefined) await strategy.logoutByRefreshToken(ctx, refreshToken);
    else await strategy.logout(ctx, await strategy.load(ctx));
    ctx.status = 204;
  });
  router.get('/me', async (ctx) => {
    const session = await strategy.load(ctx);
    ctx.body = { user: session.user, sessionAgeMs: clock.now - session.createdAt };
  });
  router.get('/cart', async (ctx) => {
    ctx.body = (await strategy.load(ctx)).cart;
  });
  router.post('/cart/items', async (ctx) => {
    const session = await strategy.load(ctx);
    const { sku, qty } = await body(ctx);
    ctx.body = await strategy.writeCart(ctx, session, (cart) => addToCart(cart, sku, qty));
  });
  app.use(errorHandler(pino({ level: 'silent' })));
  app.use(router.routes());
  const handle = app.callback();
  const server: Server = createServer((req, res) => void handle(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    strategy,
    clock,
    metrics,
    fetch(path, init = {}) {
      const headers: Record<string, string> = {};
      if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
      if (init.body !== undefined) headers['content-type'] = 'application/json';
      return fetch(url + path, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await strategy.close();
    },
  };
}

function sessionMetrics(): SessionMetrics {
  const registers = [new Registry()];
  const counter = (name: string) =>
    new Counter({ name, help: name, labelNames: ['reason'] as const, registers });
  return {
    sessionsCreated: counter('created'),
    sessionsDestroyed: counter('destroyed'),
    sessionsExpired: counter('expired'),
    cookieTampered: counter('tampered'),
    refreshReuse: new Counter({
      name: 'refresh_reuse',
      help: 'refresh_reuse',
      labelNames: ['outcome'] as const,
      registers,
    }),
  };
}

/** The value of a counter (with these labels), for assertions. */
export async function counted(counter: Counter<string>, labels: Record<string, string> = {}) {
  const { values } = await counter.get();
  const match = values.find((value) =>
    Object.entries(labels).every(([key, wanted]) => value.labels[key] === wanted),
  );
  return match?.value ?? 0;
}

/** POST /login; asserts nothing, returns the tokens. */
export async function login(node: JwtNode, user: string): Promise<TokenPair> {
  const response = await node.fetch('/login', { body: { user } });
  if (response.status !== 200) throw new Error(`login answered ${response.status}`);
  return (await response.json()) as TokenPair;
}

/** The `{error: {code}}` of an error response. */
export async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}
