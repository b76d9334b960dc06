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
    },
    'must be an object {url, mode?}',
  ),
});

/** Sessions in one Redis every node shares, connected before the switch. */
export const redis: StrategyDefinition<'redis', typeof config> = {
  name: 'redis',
  config,
  async create(config, deps) {
    const { url, mode } = config.redis;
    const store = new RedisSessionStore({ url, mode, idleTtlMs: deps.limits.idleTimeoutMs });
    await connectOrClose(store);
    return serverSessions('redis', mode, store, deps);
  },
};
