import type { Router } from '@koa/router';
import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { StoreOptionError } from '../../store/errors.ts';
import { ConfigError } from '../config.ts';
import { HttpError } from '../errors.ts';
import { readJsonBody } from '../json-body.ts';
import { secretMatches } from '../secrets.ts';
import { parseStrategyConfig, StrategyConfigError } from '../strategies/config.ts';
import type { StrategyConfig } from '../strategies/config.ts';
import type { StrategyHolder, SwitchResult } from '../strategies/strategy-holder.ts';

export interface AdminRoutesOptions {
  nodeId: string;
  strategies: StrategyHolder;
  /** Builds the strategy of a checked configuration and makes it current. */
  switchStrategy: (config: StrategyConfig) => Promise<SwitchResult>;
  adminToken: string;
  logger: Logger;
}

/**
 * GET /admin/status (what `lab status` shows per node) and PUT
 * /admin/strategy (the live switch). Bearer-token protected.
 */
export function registerAdminRoutes(router: Router, options: AdminRoutesOptions): void {
  const { nodeId, strategies, switchStrategy, adminToken, logger } = options;
  const admin = requireAdminToken(adminToken);

  router.get('/admin/status', admin, async (ctx) => {
    const strategy = strategies.current;
    let sessions: number | null = null;
    try {
      sessions = (await strategy?.count()) ?? null;
    } catch (error) {
      // The status must still answer when the store is down: that is when it is read.
      logger.warn({ err: error }, 'could not count sessions for /admin/status');
    }
    ctx.body = {
      id: nodeId,
      strategy: strategy?.name ?? null,
      variant: strategy?.variant ?? null,
      sessions,
      uptimeMs: Math.round(process.uptime() * 1000),
      pid: process.pid,
    };
  });

  router.put('/admin/strategy', admin, async (ctx) => {
    let config: StrategyConfig;
    try {
      config = parseStrategyConfig(await readJsonBody(ctx));
    } catch (error) {
      if (error instanceof StrategyConfigError) throw new HttpError('BAD_INPUT', error.message);
      throw error;
    }
    try {
      ctx.body = await switchStrategy(config);
    } catch (error) {
      throw switchFailure(error);
    }
  });
}

// The caller is the lab's operator: the reason is shown, never hidden.
function switchFailure(error: unknown): HttpError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof StoreOptionError || error instanceof ConfigError) {
    return new HttpError('BAD_INPUT', message, { cause: error });
  }
  return new HttpError('STRATEGY_UNAVAILABLE', `the previous strategy stays: ${message}`, {
    cause: error,
    expose: true,
  });
}

/** 401 without a bearer token, 403 with a wrong one (compared in constant time). */
function requireAdminToken(adminToken: string): Middleware {
  return async (ctx, next) => {
    const match = /^Bearer +(\S+) *$/i.exec(ctx.get('Authorization'));
    if (!match?.[1]) {
      throw new HttpError('ADMIN_UNAUTHORIZED', undefined, {
        headers: { 'WWW-Authenticate': 'Bearer realm="session-lab node admin"' },
      });
    }
    if (!secretMatches(match[1], adminToken)) throw new HttpError('ADMIN_FORBIDDEN');
    await next();
  };
}
