import type { Router } from '@koa/router';
import { z } from 'zod';
import { HttpError } from '../errors.ts';
import { parseInput } from '../input.ts';
import { readJsonBody } from '../json-body.ts';
import type { NodeMetrics } from '../metrics.ts';
import { secretMatches } from '../secrets.ts';
import type { SessionLayer } from '../session-layer.ts';

export interface AuthRoutesOptions {
  nodeId: string;
  demoPassword: string;
  sessions: SessionLayer;
  metrics: NodeMetrics;
  now: () => number;
}

const LoginInput = z.object({
  user: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 characters of [A-Za-z0-9_.-]'),
  password: z.string().max(1024, 'must be at most 1024 characters'),
});

/** POST /login, POST /logout, GET /me: the demo identity of the workload. */
export function registerAuthRoutes(router: Router, options: AuthRoutesOptions): void {
  const { nodeId, demoPassword, sessions, metrics, now } = options;

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
    await sessions.start(ctx, input.user);
    ctx.body = { user: input.user, node: nodeId };
  });

  router.post(
    '/logout',
    sessions.withSession(async (ctx, session) => {
      await sessions.end(ctx, session);
      ctx.status = 204;
    }),
  );

  router.get(
    '/me',
    sessions.withSession((ctx, session) => {
      ctx.body = { user: session.user, node: nodeId, sessionAgeMs: now() - session.createdAt };
    }),
  );
}
