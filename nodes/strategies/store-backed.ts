import { setTimeout as delay } from 'node:timers/promises';
import type { SessionStore } from '../../store/session-store.ts';
import type { StrategyDeps } from './definition.ts';
import { ServerSessionStrategy } from './server-session-strategy.ts';

// What the strategies that keep sessions in a store (sticky, redis,
// clustered) share: the strategy over the store, and connecting it.

// Within the holder's switch timeout (15 s), after the client's connect wait (10 s at most).
const WARM_UP_MS = 4_000;

export function serverSessions(
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

/** A store on the network: connected before its strategy is returned. */
export interface ConnectableStore extends SessionStore {
  connect(): Promise<void>;
}

export async function connectOrClose(
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
export async function warmUp(store: SessionStore): Promise<void> {
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
