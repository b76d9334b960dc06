import type { RedisAuth } from '../../../store/redis/client.ts';
import { LabError } from '../../errors.ts';
import { requireRedisUsers } from '../../services/redis-server.ts';
import type { LabState } from '../../topology/state.ts';
import { redisInfo } from './redis-info.ts';

/** Where the probes read Redis's figures. */
export interface RedisStatsTarget {
  port: number;
  auth: RedisAuth;
}

/** The redis-server the lab started (its own address, not a toxiproxy link), as the probe user. */
export function redisStatsTarget(state: LabState): RedisStatsTarget {
  const redis = state.services?.redis;
  if (redis === undefined) {
    throw new LabError('PROBE_NO_STORE', 'the lab state records no redis-server');
  }
  return { port: Number(new URL(redis.address).port), auth: requireRedisUsers(redis).probe };
}

/**
 * Calls per command from `INFO commandstats`. Commands a Lua script runs
 * are counted under their own names as well as the EVALSHA that ran them.
 */
export async function commandCalls(target: RedisStatsTarget): Promise<Map<string, number>> {
  const info = await redisInfo(target.port, 'commandstats', target.auth);
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(match[1]!, Number(match[2]));
  }
  return calls;
}

/** Calls between two readings, summed over commands, leaving out `except` (e.g. the INFO reads themselves). */
export function callsBetween(
  before: Map<string, number>,
  after: Map<string, number>,
  except: readonly string[],
): number {
  let total = 0;
  for (const [command, calls] of after) {
    if (!except.includes(command)) total += calls - (before.get(command) ?? 0);
  }
  return total;
}
