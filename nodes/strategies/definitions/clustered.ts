import type { Logger } from 'pino';
import { z } from 'zod';
import { PartitionedSessionStore } from '../../../store/hazelcast/partitioned-store.ts';
import { ReplicatedSessionStore } from '../../../store/hazelcast/replicated-store.ts';
import { hostPort } from '../config-fields.ts';
import type { StrategyDefinition } from '../definition.ts';
import { connectOrClose, serverSessions, warmUp } from '../store-backed.ts';

const hazelcast = z
  .strictObject(
    {
      variant: z
        .enum(['replicated', 'partitioned'], 'must be "replicated" or "partitioned"')
        .default('replicated'),
      clusterName: z
        .string('must be text')
        .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 characters of [A-Za-z0-9_.-]'),
      /**
       * `partitioned`: members the client contacts first (it then finds them all).
       * `replicated`: the client talks to the FIRST member only, the one beside this node.
       */
      members: z
        .array(hostPort, 'must be a list of "host:port"')
        .min(1, 'must list a member')
        .max(32),
      nearCache: z.boolean('must be true or false').default(false),
    },
    'must be an object {variant?, clusterName, members, nearCache?}',
  )
  .refine((hz) => !hz.nearCache || hz.variant === 'partitioned', {
    path: ['nearCache'],
    message: 'only the partitioned variant has a Near Cache (an IMap feature)',
  });

const config = z.strictObject({ name: z.literal('clustered'), hazelcast });

export type HazelcastStrategyConfig = z.output<typeof hazelcast>;

function hazelcastStore(
  config: HazelcastStrategyConfig,
  idleTimeoutMs: number,
  logger: Logger,
): ReplicatedSessionStore | PartitionedSessionStore {
  const { clusterName, members, nearCache } = config;
  const onStateChange = (state: string) => logger.info({ state }, 'hazelcast client state');
  if (config.variant === 'partitioned') {
    return new PartitionedSessionStore({
      clusterName,
      members,
      nearCache,
      idleTimeoutMs,
      onStateChange,
    });
  }
  // ReplicatedMap: the client talks to the member beside this node alone, listed first.
  const [member] = members as [string, ...string[]];
  return new ReplicatedSessionStore({ clusterName, member, idleTimeoutMs, onStateChange });
}

/** Sessions in a Hazelcast cluster (a member beside each node), warm before the switch. */
export const clustered: StrategyDefinition<'clustered', typeof config> = {
  name: 'clustered',
  config,
  async create(config, deps) {
    const store = hazelcastStore(config.hazelcast, deps.limits.idleTimeoutMs, deps.logger);
    await connectOrClose(store, () => warmUp(store));
    const variant = config.hazelcast.nearCache
      ? 'partitioned+near-cache'
      : config.hazelcast.variant;
    return serverSessions('clustered', variant, store, deps);
  },
};
