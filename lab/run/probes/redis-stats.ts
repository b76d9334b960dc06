import { redisInfo } from './redis-info.ts';
import { LabError } from '../../errors.ts';
import type { LabState } from '../../topology/state.ts';

/** The redis-server the lab started (its own address, not a toxiproxy link). */
export function redisPort(state: LabState): number {
  const address = state.services?.redis?.address;
  if (address === undefined) {
    throw new LabError('PROBE_NO_STORE', 'the lab state records no redis-server');
  }
  return Number(new URL(address).port);
}

/**
 * Calls per command from `INFO commandstats`. Commands a Lua script runs
 * are counted under their own names as well as the EVALSHA that ran them.
 */
export async function commandCalls(port: number): Promise<Map<string, number>> {
  const info = await redisInfo(port, 'commandstats');
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
