import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { ensureLinks } from '../network/ensure-links.ts';
import { processState, spawnService, stopService } from '../process/supervisor.ts';
import { startHazelcastCluster } from '../services/hazelcast-member.ts';
import { LabError } from '../errors.ts';
import {
  RedisServer,
  requireRedisUsers,
  waitRedisReady,
  type RedisPersistence,
  type RedisUsers,
} from '../services/redis-server.ts';
import { profileOf, type StrategyChoice } from './choice.ts';
import { recordedServices, type LabState, type ServiceEntry } from '../topology/state.ts';

// The stores' folders in a state folder: their configs, logs and data.
const REDIS_DIR = 'redis';
const HAZELCAST_DIR = 'hazelcast';

export interface ServiceOptions {
  /** Detached servers outlive the lab command (`lab up`); tests keep them attached. */
  detached: boolean;
  /** How a redis-server started now persists its data (default none). */
  redisPersistence?: RedisPersistence | undefined;
  /**
   * Put the nodes behind toxiproxy links so `lab net` can fault them (default
   * true). A link adds a proxy hop to every store round trip (~0.06 ms here),
   * so a benchmark that compares strategies turns them off for a fresh topology.
   */
  networkLinks?: boolean | undefined;
}

async function running(entry: ServiceEntry | undefined): Promise<boolean> {
  return entry !== undefined && (await processState(entry.pid)) !== 'dead';
}

/**
 * Starts a recorded redis-server again, same port, folder and config (AOF
 * data and passwords survive), and checks it still refuses clients without one.
 */
async function restartRedis(
  entry: ServiceEntry & { users?: RedisUsers },
  detached: boolean,
): Promise<void> {
  const users = requireRedisUsers(entry);
  entry.pid = spawnService(entry.spec, { detached });
  const port = Number(new URL(entry.address).port);
  await waitRedisReady(port, users.probe, entry.pid, entry.spec, 10000);
}

/**
 * Starts the servers a strategy needs (its profile's `stores`) that are not
 * running yet, and records them in the state: redis-server, one Hazelcast
 * member per node, and toxiproxy-server
 * with one link per node → store connection (see network/links.ts).
 * Resolves with notes for the user (one line each): what was left out and why.
 */
export async function ensureServices(
  stateDir: string,
  state: LabState,
  choice: StrategyChoice,
  options: ServiceOptions,
): Promise<string[]> {
  const { detached } = options;
  state.services ??= {};
  const { stores } = profileOf(choice);
  if (stores.includes('redis')) {
    const entry = state.services.redis;
    const wanted = options.redisPersistence;
    if (entry && wanted && wanted !== entry.persistence) {
      throw new LabError(
        'REDIS_RUNNING',
        `redis-server already runs with persistence ${entry.persistence}, not ${wanted}`,
        'persistence is chosen when Redis starts: `lab down`, then `lab up` with the option',
      );
    }
    if (entry && !(await running(entry))) {
      await restartRedis(entry, detached);
    } else if (!entry) {
      const server = await RedisServer.start({
        dir: path.join(stateDir, REDIS_DIR),
        detached,
        persistence: wanted ?? 'none',
      });
      state.services.redis = {
        id: 'redis',
        address: server.address,
        pid: server.pid,
        spec: server.spec,
        persistence: server.persistence,
        users: server.users,
      };
    }
  }
  if (stores.includes('hazelcast')) {
    const recorded = state.services.hazelcast;
    const alive = recorded ? await Promise.all(recorded.members.map(running)) : [];
    if (!recorded || alive.some((up) => !up)) {
      // A partial cluster is stopped and started afresh: simpler than rejoining by hand.
      if (recorded) await Promise.all(recorded.members.map((m) => stopService(m.pid, m.spec)));
      const cluster = await startHazelcastCluster({
        size: state.nodes.length,
        dir: path.join(stateDir, HAZELCAST_DIR),
        detached,
      });
      state.services.hazelcast = {
        clusterName: cluster.clusterName,
        members: cluster.members.map((member) => ({
          id: member.id,
          address: member.address,
          pid: member.pid,
          spec: member.spec,
        })),
      };
    }
  }
  if (options.networkLinks === false) return [];
  const note = await ensureLinks(stateDir, state, choice, detached);
  return note ? [note] : [];
}

/** Stops every server recorded in the state. */
export async function stopServices(state: LabState): Promise<void> {
  await Promise.all(
    recordedServices(state).map((entry) => stopService(entry.pid, entry.spec, 3000)),
  );
}

/**
 * Removes the stores' generated configs from a state folder whose servers
 * are stopped: they hold the Redis passwords and the Hazelcast cluster name.
 * Their logs stay (a run folder keeps them).
 */
export async function removeServiceConfigs(stateDir: string): Promise<void> {
  const hazelcastDir = path.join(stateDir, HAZELCAST_DIR);
  const memberConfigs = (await readdir(hazelcastDir).catch(() => [] as string[]))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => path.join(hazelcastDir, name));
  const files = [path.join(stateDir, REDIS_DIR, 'redis.conf'), ...memberConfigs];
  await Promise.all(files.map((file) => rm(file, { force: true })));
}
