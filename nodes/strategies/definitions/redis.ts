import { z } from 'zod';
import { RedisSessionStore } from '../../../store/redis/session-store.ts';
import { redisUrl } from '../config-fields.ts';
import type { StrategyDefinition } from '../definition.ts';
import { connectOrClose, serverSessions } from '../store-backed.ts';

const config = z.strictObject({
  name: z.literal('redis'),
  redis: z.strictObject(
    {
      url: redisUrl,
      /** `cas`: no update is lost; `lww`: last write wins, so the lab can count lost updates. */
      mode: z.enum(['cas', 'lww'], 'must be "cas" or "lww"').default('cas'),
      /**
       * Accept a Redis that serves clients without a password (connecting to
       * one is refused otherwise: every local user could forge sessions).
       */
      allowNoPassword: z.boolean('must be true or false').optional(),
    },
    'must be an object {url, mode?, allowNoPassword?}',
  ),
});

/** Sessions in one Redis every node shares, connected before the switch. */
export const redis: StrategyDefinition<'redis', typeof config> = {
  name: 'redis',
  config,
  async create(config, deps) {
    const { url, mode, allowNoPassword } = config.redis;
    const idleTtlMs = deps.limits.idleTimeoutMs;
    const store = new RedisSessionStore({ url, mode, idleTtlMs, allowNoPassword });
    await connectOrClose(store);
    return serverSessions('redis', mode, store, deps);
  },
};
