// Memory per 1,000 sessions (claim C4): log in N new sessions through the
// balancer, in a few equal steps, and read the nodes and the strategy's
// store after a GC before the first step and after each one. Equal figures
// per step say the growth is proportional to the sessions and not noise; a
// first step far above the next ones shows a fixed cost (e.g. a map created).
// Used by the memory probe (lab run) and the strategies bench.
import type { LabState } from '../../topology/state.ts';
import type { StrategyChoice } from '../../strategy/config.ts';
import { waitFor } from '../../process/wait.ts';
import { requireRedisUsers } from '../../services/redis-server.ts';
import type { RedisAuth } from '../../../store/redis/client.ts';
import { membersHeap } from './jvm-heap.ts';
import { logInMany } from './login-many.ts';
import { nodesMemory } from './node-heap.ts';
import { redisUsedMemory } from './redis-info.ts';

export const MEMORY_STEPS = 2;

/** Where a strategy keeps sessions outside the nodes. */
export type Store =
  | { kind: 'redis'; address: string; auth: RedisAuth }
  | { kind: 'hazelcast'; members: { pid: number; javaBinary: string }[] };

export interface MemoryResult {
  sessions: number;
  loginFailures: number;
  /** Bytes per 1,000 sessions over all steps; null where it could not be read. */
  nodesHeapPer1000: number | null;
  nodesRssPer1000: number;
  store: { what: string; per1000: number } | null;
  /** The same, step by step: the store's figure where there is a store, else the nodes' heap. */
  stepsPer1000: (number | null)[];
}

export function storeOf(state: LabState, choice: StrategyChoice): Store | undefined {
  const services = state.services ?? {};
  if ((choice.name === 'redis' || choice.name === 'jwt') && services.redis) {
    return {
      kind: 'redis',
      address: services.redis.address,
      auth: requireRedisUsers(services.redis).probe,
    };
  }
  if (choice.name === 'clustered' && services.hazelcast) {
    const members = services.hazelcast.members.map((m) => ({
      pid: m.pid,
      javaBinary: m.spec.command,
    }));
    return { kind: 'hazelcast', members };
  }
  return undefined;
}

/** Sessions each node reports (node admin API); for a ReplicatedMap, the size its member sees. */
async function sessionCounts(state: LabState): Promise<number[]> {
  return Promise.all(
    state.nodes.map(async (node) => {
      const response = await fetch(`${node.url}/admin/status`, {
        headers: { authorization: `Bearer ${state.nodeAdminToken}` },
        signal: AbortSignal.timeout(5000),
      });
      return ((await response.json()) as { sessions: number | null }).sessions ?? 0;
    }),
  );
}

interface Reading {
  nodesHeap: number | undefined;
  nodesRss: number;
  store: number | undefined;
}

async function read(state: LabState, store: Store | undefined): Promise<Reading> {
  const nodes = state.nodes.map((node) => ({ pid: node.pid, logFile: node.spec.logFile }));
  const { heapBytes, rssBytes } = await nodesMemory(nodes);
  let storeBytes: number | undefined;
  if (store?.kind === 'redis') storeBytes = await redisUsedMemory(store.address, store.auth);
  if (store?.kind === 'hazelcast') storeBytes = await membersHeap(store.members);
  return { nodesHeap: heapBytes, nodesRss: rssBytes, store: storeBytes };
}

const delta = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? undefined : b - a;

/** Logs in `sessions` new users in MEMORY_STEPS steps; growth per 1,000 sessions. */
export async function measureMemory(
  state: LabState,
  choice: StrategyChoice,
  sessions: number,
): Promise<MemoryResult> {
  const store = storeOf(state, choice);
  const origin = new URL(state.balancer.url);
  // Logs users in and, for a ReplicatedMap (which copies to the other
  // members asynchronously), waits until every member holds them all.
  const logIn = async (users: string[]): Promise<number> => {
    const countsBefore = choice.variant === 'replicated' ? await sessionCounts(state) : [];
    const { failed } = await logInMany(origin, users, 8);
    const added = users.length - failed;
    if (choice.variant === 'replicated') {
      await waitFor(
        async () =>
          (await sessionCounts(state)).every((count, i) => count >= countsBefore[i]! + added),
        { timeoutMs: 20_000, what: 'every Hazelcast member to hold the new sessions' },
      );
    }
    return added;
  };
  // Logins before the first reading, so the login path's compiled code and
  // lazily created structures are in the baseline, not counted as sessions.
  const warmup = Math.min(1000, Math.max(200, Math.floor(sessions / 10)));
  await logIn(Array.from({ length: warmup }, (_, i) => `memwarm-${i}`));
  const readings = [await read(state, store)];
  const created: number[] = [];
  for (let step = 0; step < MEMORY_STEPS; step += 1) {
    const from = Math.floor((sessions * step) / MEMORY_STEPS);
    const to = Math.floor((sessions * (step + 1)) / MEMORY_STEPS);
    created.push(await logIn(Array.from({ length: to - from }, (_, i) => `mem-${from + i}`)));
    readings.push(await read(state, store));
  }

  const per1000 = (bytes: number | undefined, count: number) =>
    bytes === undefined || count <= 0 ? null : (bytes * 1000) / count;
  const first = readings[0]!;
  const last = readings.at(-1)!;
  const total = created.reduce((sum, count) => sum + count, 0);
  const what =
    store?.kind === 'redis'
      ? 'redis used_memory'
      : `JVM heap, ${store?.members.length ?? 0} members`;
  const storePer1000 = per1000(delta(first.store, last.store), total);
  return {
    sessions: total,
    loginFailures: sessions - total,
    nodesHeapPer1000: per1000(delta(first.nodesHeap, last.nodesHeap), total),
    nodesRssPer1000: per1000(last.nodesRss - first.nodesRss, total) ?? 0,
    store: storePer1000 === null ? null : { what, per1000: storePer1000 },
    stepsPer1000: created.map((count, i) => {
      const [a, b] = [readings[i]!, readings[i + 1]!];
      return per1000(store ? delta(a.store, b.store) : delta(a.nodesHeap, b.nodesHeap), count);
    }),
  };
}
