import type { Router } from '@koa/router';
import { z } from 'zod';
import { HttpError } from '../errors.ts';
import { parseInput } from '../input.ts';
import { readJsonBody } from '../json-body.ts';
import type { NodeMetrics } from '../metrics.ts';
import { secretMatches } from '../secrets.ts';
import type { StrategyHolder } from '../strategies/strategy-holder.ts';

export interface AuthRoutesOptions {
  nodeId: string;
  demoPassword: string;
  strategies: StrategyHolder;
  metrics: NodeMetrics;
  now: () => number;
}

const LoginInput = z.object({
  user: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 characters of [A-Za-z0-9_.-]'),
  password: z.string().max(1024, 'must be at most 1024 characters'),
});

const refreshTokenField = z
  .string()
  .min(1, 'must not be empty')
  .max(4096, 'must be at most 4096 characters');
const RefreshInput = z.object({ refreshToken: refreshTokenField });
const LogoutInput = z.object({ refreshToken: refreshTokenField.optional() });

/** POST /login, /logout, /auth/refresh and GET /me: the demo identity of the workload. */
export function registerAuthRoutes(router: Router, options: AuthRoutesOptions): void {
  const { nodeId, demoPassword, strategies, metrics, now } = options;

  // The password is checked here, the same for every strategy; the strategy
  // only starts the session.
  router.post('/login', async (ctx) => {
    let input: z.output<typeof LoginInput>;
    try {
      input = parseInput(LoginInput, await readJsonBody(ctx));
    } catch (error) {
      metrics.loginsFailed.inc({ reason: 'bad_input' });
      throw error;
    }
    if (!secretMatches(input.password, demoPassword)) {
      metrics.loginsFailed.inc({ reason: 'bad_credentials' });
      throw new HttpError('BAD_CREDENTIALS');
    }
    const extra = await strategies.of(ctx).login(ctx, input.user);
    ctx.body = { user: input.user, node: nodeId, ...extra };
  });

  // jwt: a refresh token in the body revokes its family even when the access
  // token has expired or is absent. Other logouts carry no body.
  router.post('/logout', async (ctx) => {
    const strategy = strategies.of(ctx);
    const { refreshToken } = ctx.is('application/json')
      ? parseInput(LogoutInput, await readJsonBody(ctx))
      : {};
    if (refreshToken !== undefined && strategy.logoutByRefreshToken) {
      await strategy.logoutByRefreshToken(ctx, refreshToken);
    } else {
      await strategy.logout(ctx, await strategy.load(ctx));
    }
    ctx.status = 204;
  });

  router.get('/me', async (ctx) => {
    const session = await strategies.of(ctx).load(ctx);
    ctx.body = { user: session.user, node: nodeId, sessionAgeMs: now() - session.createdAt };
  });

  router.post('/auth/refresh', async (ctx) => {
    const strategy = strategies.of(ctx);
    if (!strategy.refresh) {
      throw new HttpError('NOT_SUPPORTED', `strategy ${strategy.name} has no refresh tokens`);
    }
    const { refreshToken } = parseInput(RefreshInput, await readJsonBody(ctx));
    ctx.body = await strategy.refresh(ctx, refreshToken);
  });
}
