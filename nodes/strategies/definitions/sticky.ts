import { z } from 'zod';
import { MemorySessionStore } from '../../../store/memory-store.ts';
import type { StrategyDefinition } from '../definition.ts';
import { serverSessions } from '../store-backed.ts';

const config = z.strictObject({ name: z.literal('sticky') });

/** Sessions in the node's own memory; the balancer pins each client to its node. */
export const sticky: StrategyDefinition<'sticky', typeof config> = {
  name: 'sticky',
  config,
  create(_config, deps) {
    const store = new MemorySessionStore({
      idleTimeoutMs: deps.limits.idleTimeoutMs,
      maxEntries: deps.limits.maxEntries,
    });
    return Promise.resolve(serverSessions('sticky', 'memory', store, deps));
  },
};
