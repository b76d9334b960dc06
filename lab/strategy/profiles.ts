// THE table of strategies on the lab side: one entry per strategy the nodes
// can run (a node strategy without an entry does not compile). Its order is
// the order a run measures them and reports list them: clustered last,
// because starting its JVMs is slow.
import type { StrategyName } from '../../nodes/strategies/strategy.ts';
import type { StrategyProfile } from './profile.ts';

const sticky: StrategyProfile<'sticky', never> = {
  name: 'sticky',
  variants: [],
  policy: 'sticky',
  stores: [],
  linkedStore: () => undefined,
  sessionsSurviveIn: undefined,
  memory: { kind: 'node-heap' },
  credential: 'session-id',
  memoryBudgetMs: 20_000,
  nodeConfig: () => ({ name: 'sticky' }),
};

const redis: StrategyProfile<'redis', 'cas' | 'lww'> = {
  name: 'redis',
  variants: ['cas', 'lww'],
  policy: 'round-robin',
  stores: ['redis'],
  linkedStore: () => 'redis',
  sessionsSurviveIn: 'in Redis',
  memory: { kind: 'store', where: () => 'redis used_memory' },
  credential: 'session-id',
  memoryBudgetMs: 20_000,
  nodeConfig: (node, variant) => ({
    name: 'redis',
    redis: {
      url: node.redisUrl(),
      mode: variant,
      ...(node.redisNoPassword ? { allowNoPassword: true } : {}),
    },
  }),
};

const cookie: StrategyProfile<'cookie', never> = {
  name: 'cookie',
  variants: [],
  policy: 'round-robin',
  stores: [],
  linkedStore: () => undefined,
  sessionsSurviveIn: "in the clients' cookies",
  memory: { kind: 'none' },
  credential: 'sealed-cookie',
  memoryBudgetMs: 20_000,
  nodeConfig: (node) => ({ name: 'cookie', cookie: { keys: node.secrets().cookieKeys } }),
};

const jwt: StrategyProfile<'jwt', never> = {
  name: 'jwt',
  variants: [],
  policy: 'round-robin',
  // Refresh-token families and carts.
  stores: ['redis'],
  linkedStore: () => 'redis',
  sessionsSurviveIn: "in the clients' tokens (refresh tokens in Redis)",
  memory: { kind: 'store', where: () => 'redis used_memory (refresh-token families)' },
  credential: 'signed-token',
  memoryBudgetMs: 20_000,
  nodeConfig: (node) => ({
    name: 'jwt',
    jwt: { keys: node.secrets().jwtKeys, accessTtlSeconds: node.jwtAccessTtlSeconds },
    redis: { url: node.redisUrl() },
  }),
};

const clustered: StrategyProfile<'clustered', 'replicated' | 'partitioned'> = {
  name: 'clustered',
  variants: ['replicated', 'partitioned'],
  policy: 'round-robin',
  stores: ['hazelcast'],
  // Replicated: each node's client talks to the member beside it alone, so
  // that path can take a link. Partitioned: a smart client reaches every
  // member at the address it announces, past any proxy (network/links.ts).
  linkedStore: (variant) => (variant === 'replicated' ? 'hazelcast' : undefined),
  sessionsSurviveIn: 'in Hazelcast',
  // A JVM heap read after a full GC still moves by several hundred KiB
  // between readings (a partitioned run once read -78 KiB per 1,000
  // sessions), so the members get more sessions to stand above that noise.
  memory: {
    kind: 'store',
    where: (state) =>
      `Hazelcast members' live heap after full GC, summed over ${state.services?.hazelcast?.members.length ?? 0} members`,
    sessions: 3000,
  },
  credential: 'session-id',
  memoryBudgetMs: 60_000,
  nodeConfig: (node, variant) => {
    const { clusterName, ownLinked, ownFirst } = node.hazelcast();
    return {
      name: 'clustered',
      hazelcast: {
        variant,
        clusterName,
        members: variant === 'replicated' ? [ownLinked] : ownFirst,
      },
    };
  },
};

/** Every strategy's profile, by name, in run order. */
export const PROFILES = { sticky, redis, cookie, jwt, clustered } satisfies {
  [N in StrategyName]: StrategyProfile<N, string>;
};

export type Profiles = typeof PROFILES;
