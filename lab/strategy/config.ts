import { randomBytes } from 'node:crypto';
import { generateSigningKeys } from '../../nodes/strategies/jwt/index.ts';
import { LabError } from '../errors.ts';
import { linkAddress, ownMember } from '../network/links.ts';
import type { LabState } from '../topology/state.ts';
import { profileOf, type StrategyChoice } from './choice.ts';
import type { StrategyName } from '../../nodes/strategies/strategy.ts';
import type { BalancerPolicy, NodeConfigContext, NodeConfigOf } from './profile.ts';
import { PROFILES } from './profiles.ts';
import { redisUrlFor, requireRedisUsers } from '../services/redis-server.ts';

// The benches import the parsed choice from here; its home is strategy/choice.ts.
export { parseStrategyChoice, type StrategyChoice } from './choice.ts';

/** Routing the balancer needs for a strategy, from its profile. */
export function policyFor(name: StrategyName): BalancerPolicy {
  return PROFILES[name].policy;
}

/** Keys the cookie and jwt strategies share across every node of one topology. */
export async function newSecrets(): Promise<NonNullable<LabState['secrets']>> {
  return {
    cookieKeys: [{ id: 'k1', secret: randomBytes(32).toString('base64url') }],
    jwtKeys: await generateSigningKeys(),
  };
}

function notStarted(what: string): LabError {
  return new LabError(
    'NOT_STARTED',
    `${what} is not part of this topology`,
    'the strategy switch starts it: run `lab strategy` again',
  );
}

/**
 * What node number `index` of `state` reads to build its configuration.
 * Where the lab put a network link between this node and a store, the node
 * gets the link's address, so `lab net` faults hit this node's path to that
 * store alone.
 */
function nodeContext(state: LabState, index: number): NodeConfigContext {
  const nodeId = state.nodes[index]!.id;
  return {
    redisUrl() {
      const redis = state.services?.redis;
      if (!redis) throw notStarted('redis');
      const link = linkAddress(state, nodeId, redis.id);
      // The password travels in the url, inside the body of PUT /admin/strategy
      // (loopback, admin token) and the node's 0600 config file: never argv or env.
      return redisUrlFor(link ? `redis://${link}` : redis.address, requireRedisUsers(redis).app);
    },
    hazelcast() {
      const hazelcast = state.services?.hazelcast;
      if (!hazelcast) throw notStarted('the Hazelcast cluster');
      const own = ownMember(hazelcast.members, index);
      const addresses = hazelcast.members.map((member) => member.address);
      return {
        clusterName: hazelcast.clusterName,
        ownLinked: linkAddress(state, nodeId, own.id) ?? own.address,
        ownFirst: [own.address, ...addresses.filter((address) => address !== own.address)],
      };
    },
    secrets() {
      if (!state.secrets) throw notStarted('the shared keys');
      const { cookieKeys, jwtKeys } = state.secrets;
      // Recorded by newSecrets() from generateSigningKeys(); the node checks them again.
      return {
        cookieKeys,
        jwtKeys: jwtKeys as ReturnType<NodeConfigContext['secrets']>['jwtKeys'],
      };
    },
    jwtAccessTtlSeconds: state.tuning?.jwtAccessTtlSeconds,
  };
}

/**
 * The body of a node's `PUT /admin/strategy` (and its NODE_STRATEGY_CONFIG):
 * what node number `index` needs to run the chosen strategy, as its profile
 * builds it.
 */
export function nodeStrategyConfig(
  state: LabState,
  choice: StrategyChoice,
  index: number,
): NodeConfigOf<StrategyChoice['name']> {
  return profileOf(choice).nodeConfig(nodeContext(state, index), choice.variant);
}
