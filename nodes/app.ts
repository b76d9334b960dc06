import { Router } from '@koa/router';
import Koa from 'koa';
import type { Middleware } from 'koa';
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SessionStore } from '../store/session-store.ts';
import type { NodeConfig } from './config.ts';
import { errorHandler } from './error-handler.ts';
import { createNodeMetrics, recordRequests } from './metrics.ts';
import { registerAdminRoutes } from './routes/admin.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerCartRoutes } from './routes/cart.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerMetricsRoutes } from './routes/metrics.ts';
import { SessionLayer } from './session-layer.ts';

/** This node keeps sessions in its own memory; the balancer pins clients to it. */
export const STRATEGY = 'sticky';

/** The part of {@link NodeConfig} the app itself uses. */
export type NodeAppConfig = Pick<NodeConfig, 'demoPassword' | 'absoluteTimeoutMs' | 'adminToken'>;

export interface NodeAppOptions {
  /** Sent as X-Served-By on every response and as the `node` metrics label. */
  nodeId: string;
  store: SessionStore;
  config: NodeAppConfig;
  /** Default: silent. */
  logger?: Logger;
  /** Clock for session ages and timeouts, epoch ms. Default Date.now; tests inject one. */
  now?: () => number;
  /** Registry for the app's metrics (e.g. with default process metrics added); default a fresh one. */
  registry?: Registry;
  /** Compare-and-set attempts per cart write. Default 10. */
  cartWriteAttempts?: number;
}

/**
 * Builds a node's Koa app without listening: serve it with
 * `http.createServer(app.callback())`. The caller owns the store and closes it.
 */
export function createNodeApp(options: NodeAppOptions): Koa {
  const { nodeId, store, config } = options;
  if (typeof nodeId !== 'string' || nodeId === '') {
    throw new TypeError('createNodeApp: nodeId must be a non-empty string');
  }
  const logger = options.logger ?? pino({ level: 'silent' });
  const now = options.now ?? Date.now;
  const metrics = createNodeMetrics({ nodeId, store, logger, registry: options.registry });
  const sessions = new SessionLayer({
    store,
    absoluteTimeoutMs: config.absoluteTimeoutMs,
    now,
    metrics,
  });

  const router = new Router();
  registerHealthRoutes(router, { nodeId, store });
  registerAuthRoutes(router, { nodeId, demoPassword: config.demoPassword, sessions, metrics, now });
  registerCartRoutes(router, { store, sessions, now, maxAttempts: options.cartWriteAttempts });
  registerMetricsRoutes(router, metrics.registry);
  registerAdminRoutes(router, { nodeId, strategy: STRATEGY, store, adminToken: config.adminToken });

  const app = new Koa();
  // Behind the balancer: trust exactly one X-Forwarded-* hop, so clients
  // cannot spoof their address or the protocol through extra entries.
  app.proxy = true;
  app.maxIpsCount = 1;
  app.use(servedBy(nodeId));
  app.use(recordRequests(metrics));
  app.use(errorHandler(logger));
  app.use(router.routes());
  app.use(router.allowedMethods());
  // Reached only by failures after the error handler, e.g. a client gone mid-response.
  app.on('error', (error: unknown) => logger.warn({ err: error }, 'response failed'));
  return app;
}

// First middleware, so every response carries it, errors and 404s included.
function servedBy(nodeId: string): Middleware {
  return async function setServedBy(ctx, next) {
    ctx.set('X-Served-By', nodeId);
    await next();
  };
}
