import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { PartitionedSessionStore } from '../../store/hazelcast/partitioned-store.ts';
import { ReplicatedSessionStore } from '../../store/hazelcast/replicated-store.ts';
import { MemorySessionStore } from '../../store/memory-store.ts';
import { RedisSessionStore } from '../../store/redis/session-store.ts';
import type { SessionStore } from '../../store/session-store.ts';
import type { SessionMetrics } from '../metrics.ts';
import type { HazelcastStrategyConfig, StrategyConfig } from './config.ts';
import { CookieStrategy } from './cookie-strategy.ts';
import { createJwtStrategy } from './jwt/index.ts';
import { ServerSessionStrategy } from './server-session-strategy.ts';
import type { SessionStrategy } from './strategy.ts';

// Within the holder's switch timeout (15 s), after the client's connect wait (10 s at most).
const WARM_UP_MS = 4_000;

/** What every strategy may use from its node. */
export interface StrategyDeps {
  nodeId: string;
  /** Node-wide session settings (nodes/config.ts). */
  limits: { idleTimeoutMs: number; absoluteTimeoutMs: number; maxEntries: number };
  metrics: SessionMetrics;
  logger: Logger;
  /** Wall clock for session timestamps, epoch ms. */
  now: () => number;
  /** Compare-and-set attempts per cart write (server sessions). Default 10. */
  cartWriteAttempts?: number;
}

/**
 * THE factory: the one place that turns a strategy configuration into a
 * strategy. Server-session strategies with a networked store are connected
 * before they are returned, so a store that cannot be reached fails here
 * (StoreUnavailableError; a bad option: StoreOptionError) and whatever was
 * opened is closed again; jwt connects in `ready()`, which every switch
 * checks. The caller owns the strategy and closes it.
 */
export async function createStrategy(
  config: StrategyConfig,
  deps: StrategyDeps,
): Promise<SessionStrategy> {
  const { limits } = deps;
  switch (config.name) {
    case 'sticky': {
      const store = new MemorySessionStore({
        idleTimeoutMs: limits.idleTimeoutMs,
        maxEntries: limits.maxEntries,
      });
      return serverSessions('sticky', 'memory', store, deps);
    }
    case 'redis': {
      const { url, mode } = config.redis;
      const store = new RedisSessionStore({ url, mode, idleTtlMs: limits.idleTimeoutMs });
      await connectOrClose(store);
      return serverSessions('redis', mode, store, deps);
    }
    case 'clustered': {
      const store = hazelcastStore(config.hazelcast, limits.idleTimeoutMs, deps.logger);
      await connectOrClose(store, () => warmUp(store));
      const variant = config.hazelcast.nearCache
        ? 'partitioned+near-cache'
        : config.hazelcast.variant;
      return serverSessions('clustered', variant, store, deps);
    }
    case 'cookie':
      return new CookieStrategy({
        keys: config.cookie.keys,
        idleTimeoutMs: limits.idleTimeoutMs,
        absoluteTimeoutMs: limits.absoluteTimeoutMs,
        now: deps.now,
        metrics: deps.metrics,
      });
    case 'jwt':
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
  }
}

function serverSessions(
  name: 'sticky' | 'redis' | 'clustered',
  variant: string,
  store: SessionStore,
  deps: StrategyDeps,
): ServerSessionStrategy {
  return new ServerSessionStrategy({
    name,
    variant,
    store,
    absoluteTimeoutMs: deps.limits.absoluteTimeoutMs,
    now: deps.now,
    metrics: deps.metrics,
    cartWriteAttempts: deps.cartWriteAttempts,
  });
}

type ConnectableStore = RedisSessionStore | ReplicatedSessionStore | PartitionedSessionStore;

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

async function connectOrClose(
  store: ConnectableStore,
  afterConnect: () => Promise<void> = () => Promise.resolve(),
): Promise<void> {
  try {
    await store.connect();
    await afterConnect();
  } catch (error) {
    // connect() leaves the client retrying in the background; a failed
    // switch must leave nothing behind.
    await store.close();
    throw error;
  }
}

/**
 * The first call of a fresh Hazelcast client creates the map's proxy on the
 * cluster (and a ReplicatedMap fills its local copy), which can outlast the
 * store's 1 s ping limit: ping until one answers, for a bounded time, so the
 * switch's readiness check sees the warm store.
 */
async function warmUp(store: SessionStore): Promise<void> {
  const deadline = Date.now() + WARM_UP_MS;
  for (;;) {
    try {
      await store.ping();
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await delay(100);
    }
  }
}
