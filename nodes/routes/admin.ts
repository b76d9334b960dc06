import type { Router } from '@koa/router';
import type { Middleware } from 'koa';
import type { SessionStore } from '../../store/session-store.ts';
import { HttpError } from '../errors.ts';
import { secretMatches } from '../secrets.ts';

export interface AdminRoutesOptions {
  nodeId: string;
  strategy: string;
  store: SessionStore;
  adminToken: string;
}

/** GET /admin/status: what `lab status` shows per node. Bearer-token protected. */
export function registerAdminRoutes(router: Router, options: AdminRoutesOptions): void {
  const { nodeId, strategy, store, adminToken } = options;

  router.get('/admin/status', requireAdminToken(adminToken), async (ctx) => {
    ctx.body = {
      id: nodeId,
      strategy,
      sessions: await store.count(),
      uptimeMs: Math.round(process.uptime() * 1000),
      pid: process.pid,
    };
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
