import { z } from 'zod';
import { redisUrl } from '../config-fields.ts';
import type { StrategyDefinition } from '../definition.ts';
import { createJwtStrategy, JwtStrategyConfigSchema } from '../jwt/index.ts';

// The jwt part is checked by the jwt strategy's own schema; Redis holds its
// refresh tokens and the carts.
const config = z.strictObject({
  name: z.literal('jwt'),
  jwt: JwtStrategyConfigSchema,
  redis: z.strictObject({ url: redisUrl }, 'must be an object {url}'),
});

/** Signed access tokens in the client, refresh-token families in Redis. */
export const jwt: StrategyDefinition<'jwt', typeof config> = {
  name: 'jwt',
  config,
  create(config, deps) {
    // Connects in ready(), which the switch checks before the swap.
    return createJwtStrategy(
      { jwt: config.jwt, redis: config.redis },
      {
        nodeId: deps.nodeId,
        now: deps.now,
        logger: deps.logger,
        metrics: deps.metrics,
        absoluteTimeoutMs: deps.limits.absoluteTimeoutMs,
      },
    );
  },
};
