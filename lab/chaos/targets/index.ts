// The one place that turns a name (`node-1`, `redis`, `hz-1`) into a chaos
// target, and the only place that knows the kinds of process the lab runs.
import { LabError } from '../../errors.ts';
import type { LabState } from '../../topology/state.ts';
import type { ChaosTarget } from '../action.ts';
import { assertLoopbackHost } from '../../loopback.ts';
import { hazelcastMemberTarget } from './hazelcast-member.ts';
import { nodeTarget } from './node.ts';
import { redisTarget } from './redis.ts';

/** Every name a chaos action can take in this topology, nodes first. */
export function knownTargets(state: LabState): { nodes: string[]; stores: string[] } {
  return {
    nodes: state.nodes.map((node) => node.id),
    stores: [
      ...(state.services?.redis ? [state.services.redis.id] : []),
      ...(state.services?.hazelcast?.members.map((member) => member.id) ?? []),
    ],
  };
}

/**
 * Resolves `id` against the recorded state. Unknown names fail with the
 * list of known ones; so does an address that is not on loopback: the lab
 * only breaks what it runs on this machine.
 */
export function resolveTarget(state: LabState, id: string): ChaosTarget {
  const node = state.nodes.find((entry) => entry.id === id);
  if (node) {
    assertLoopbackHost(id, new URL(node.url).hostname);
    return nodeTarget(state, node);
  }
  const redis = state.services?.redis;
  if (redis && redis.id === id) {
    assertLoopbackHost(id, new URL(redis.address).hostname);
    return redisTarget(redis);
  }
  const cluster = state.services?.hazelcast;
  const member = cluster?.members.find((entry) => entry.id === id);
  if (cluster && member) {
    assertLoopbackHost(id, new URL(`tcp://${member.address}`).hostname);
    return hazelcastMemberTarget(state, cluster, member);
  }
  throw unknownTarget(state, id);
}

function unknownTarget(state: LabState, id: string): LabError {
  const { nodes, stores } = knownTargets(state);
  const known = `known nodes: ${nodes.join(', ')}; stores: ${stores.join(', ') || 'none running'}`;
  // Stores start with the strategy that needs them, not with `lab up`.
  const strategy = id === 'redis' ? 'redis' : /^hz-\d+$/.test(id) ? 'clustered' : undefined;
  if (strategy) {
    return new LabError(
      'NOT_STARTED',
      `${id} is not part of this topology`,
      `\`lab strategy ${strategy}\` starts it; ${known}`,
    );
  }
  const noun = id.startsWith('node-') ? 'node' : 'target';
  return new LabError('UNKNOWN_TARGET', `unknown ${noun} "${id}"`, known);
}
