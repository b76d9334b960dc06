import { Router } from '@koa/router';
import Koa from 'koa';
import type { Middleware } from 'koa';
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { NodeConfig } from './config.ts';
import { errorHandler } from './error-handler.ts';
import { createNodeMetrics, recordRequests } from './metrics.ts';
import { registerAdminRoutes } from './routes/admin.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerCartRoutes } from './routes/cart.ts';
import { registerHealthRoutes } from './routes/health.ts';
import { registerMetricsRoutes } from './routes/metrics.ts';
import type { StrategyConfig } from './strategies/config.ts';
import { createStrategy } from './strategies/index.ts';
import type { StrategyDeps } from './strategies/index.ts';
import { StrategyHolder } from './strategies/strategy-holder.ts';
import type { SwitchResult } from './strategies/strategy-holder.ts';
import type { SessionStrategy } from './strategies/strategy.ts';

/** The part of {@link NodeConfig} the app itself uses. */
export type NodeAppConfig = Pick<
  NodeConfig,
  'demoPassword' | 'absoluteTimeoutMs' | 'idleTimeoutMs' | 'maxEntries' | 'adminToken'
>;

/** Builds a strategy from its configuration; the factory unless a test brings its own. */
export type BuildStrategy = (
  config: StrategyConfig,
  deps: StrategyDeps,
) => Promise<SessionStrategy>;

export interface NodeAppOptions {
  /** Sent as X-Served-By on every response and as the `node` metrics label. */
  nodeId: string;
  config: NodeAppConfig;
  /** Default: silent. */
  logger?: Logger;
  /** Clock for session ages and timeouts, epoch ms. Default Date.now; tests inject one. */
  now?: () => number;
  /** Registry for the app's metrics (e.g. with default process metrics added); default a fresh one. */
  registry?: Registry;
  /** Compare-and-set attempts per cart write. Default 10. */
  cartWriteAttempts?: number;
  /** Default: the factory, `createStrategy`. */
  buildStrategy?: BuildStrategy;
  /** See StrategyHolderOptions. */
  drainTimeoutMs?: number;
  switchTimeoutMs?: number;
}

/** A node app and the handle on its live strategy. */
export interface NodeApp {
  /** Serve it with `http.createServer(app.callback())`. */
  app: Koa;
  /**
   * Builds the strategy of `config` and makes it current, as PUT
   * /admin/strategy does. Until the first one, session routes answer 503.
   */
  switchStrategy(config: StrategyConfig): Promise<SwitchResult>;
  /** The strategy new requests get. */
  readonly strategy: SessionStrategy | undefined;
  /** Closes the current strategy (and any still draining); after the server has stopped. */
  close(): Promise<void>;
}

/** Builds a node's Koa app without listening or connecting anything. */
export function createNodeApp(options: NodeAppOptions): NodeApp {
  const { nodeId, config } = options;
  if (typeof nodeId !== 'string' || nodeId === '') {
    throw new TypeError('createNodeApp: nodeId must be a non-empty string');
  }
  const logger = options.logger ?? pino({ level: 'silent' });
  const now = options.now ?? Date.now;
  const strategies = new StrategyHolder({
    logger,
    drainTimeoutMs: options.drainTimeoutMs,
    switchTimeoutMs: options.switchTimeoutMs,
  });
  const metrics = createNodeMetrics({
    nodeId,
    logger,
    registry: options.registry,
    strategy: () => strategies.current,
  });
  const deps: StrategyDeps = {
    nodeId,
    limits: {
      idleTimeoutMs: config.idleTimeoutMs,
      absoluteTimeoutMs: config.absoluteTimeoutMs,
      maxEntries: config.maxEntries,
    },
    metrics,
    logger,
    now,
    cartWriteAttempts: options.cartWriteAttempts,
  };
  const build = options.buildStrategy ?? createStrategy;
  const switchStrategy = async (next: StrategyConfig): Promise<SwitchResult> => {
    try {
      const result = await strategies.switchTo(() => build(next, deps));
      metrics.strategySwitches.inc({ strategy: next.name, result: 'ok' });
      return result;
    } catch (error) {
      metrics.strategySwitches.inc({ strategy: next.name, result: 'failed' });
      throw error;
    }
  };

  const router = new Router();
  registerHealthRoutes(router, { nodeId, strategies });
  registerAuthRoutes(router, {
    nodeId,
    demoPassword: config.demoPassword,
    strategies,
    metrics,
    now,
  });
  registerCartRoutes(router, { strategies });
  registerMetricsRoutes(router, metrics.registry);
  registerAdminRoutes(router, {
    nodeId,
    strategies,
    switchStrategy,
    adminToken: config.adminToken,
    logger,
  });

  const app = new Koa();
  // Behind the balancer: trust exactly one X-Forwarded-* hop, so clients
  // cannot spoof their address or the protocol through extra entries.
  app.proxy = true;
  app.maxIpsCount = 1;
  app.use(servedBy(nodeId));
  app.use(recordRequests(metrics));
  app.use(errorHandler(logger));
  // Each request keeps the strategy it arrived with (routes: strategies.of(ctx)).
  app.use(strategies.middleware());
  app.use(router.routes());
  app.use(router.allowedMethods());
  // Reached only by failures after the error handler, e.g. a client gone mid-response.
  app.on('error', (error: unknown) => logger.warn({ err: error }, 'response failed'));
  return {
    app,
    switchStrategy,
    get strategy() {
      return strategies.current;
    },
    close: () => strategies.close(),
  };
}

// First middleware, so every response carries it, errors and 404s included.
function servedBy(nodeId: string): Middleware {
  return async function setServedBy(ctx, next) {
    ctx.set('X-Served-By', nodeId);
    await next();
  };
}
