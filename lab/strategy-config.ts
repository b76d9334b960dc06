import { randomBytes } from 'node:crypto';
import { generateSigningKeys } from '../nodes/strategies/jwt/index.ts';
import { STRATEGY_NAMES, type StrategyName } from '../nodes/strategies/strategy.ts';
import { LabError } from './errors.ts';
import { linkAddress, ownMember } from './network/links.ts';
import type { LabState } from './state.ts';

/** A strategy as the user names it: `redis`, `redis:lww`, `clustered:partitioned`. */
export interface StrategyChoice {
  name: StrategyName;
  variant: string | undefined;
}

const VARIANTS: Record<StrategyName, readonly string[]> = {
  sticky: [],
  redis: ['cas', 'lww'],
  clustered: ['replicated', 'partitioned'],
  cookie: [],
  jwt: [],
};

/** Routing the balancer needs: only `sticky` pins clients to the node that holds their session. */
export function policyFor(name: StrategyName): 'sticky' | 'round-robin' {
  return name === 'sticky' ? 'sticky' : 'round-robin';
}

export function parseStrategyChoice(text: string): StrategyChoice {
  const [name = '', variant, ...rest] = text.split(':');
  if (!(STRATEGY_NAMES as readonly string[]).includes(name) || rest.length > 0) {
    throw new LabError(
      'UNKNOWN_STRATEGY',
      `unknown strategy "${text}"`,
      `use one of ${STRATEGY_NAMES.join(', ')} (variants: redis:lww, clustered:partitioned)`,
    );
  }
  const known = VARIANTS[name as StrategyName];
  if (variant !== undefined && !known.includes(variant)) {
    throw new LabError(
      'UNKNOWN_VARIANT',
      `strategy ${name} has no variant "${variant}"`,
      known.length > 0 ? `use one of ${known.join(', ')}` : `${name} has no variants`,
    );
  }
  return { name: name as StrategyName, variant: variant ?? known[0] };
}

/** Keys the cookie and jwt strategies share across every node of one topology. */
export async function newSecrets(): Promise<NonNullable<LabState['secrets']>> {
  return {
    cookieKeys: [{ id: 'k1', secret: randomBytes(32).toString('base64url') }],
    jwtKeys: await generateSigningKeys(),
  };
}

/**
 * The body of a node's `PUT /admin/strategy` (and its NODE_STRATEGY_CONFIG):
 * what node number `index` needs to run the chosen strategy. Where the lab
 * put a network link between this node and a store, the node gets the link's
 * address, so `lab net` faults hit this node's path to that store alone.
 */
export function nodeStrategyConfig(
  state: LabState,
  choice: StrategyChoice,
  index: number,
): Record<string, unknown> {
  const redis = state.services?.redis;
  const hazelcast = state.services?.hazelcast;
  const secrets = state.secrets;
  const nodeId = state.nodes[index]!.id;
  const redisLink = redis && linkAddress(state, nodeId, redis.id);
  const redisUrl = redisLink ? `redis://${redisLink}` : redis?.address;
  switch (choice.name) {
    case 'sticky':
      return { name: 'sticky' };
    case 'redis':
      return { name: 'redis', redis: { url: redisUrl, mode: choice.variant } };
    case 'clustered': {
      const addresses = hazelcast!.members.map((member) => member.address);
      // Replicated: each node talks to the member beside it (listed first),
      // through its link; partitioned: a smart client that finds every member
      // by the addresses they announce, so it gets the real ones (links.ts).
      const ownEntry = ownMember(hazelcast!.members, index);
      const own = ownEntry.address;
      const members = [own, ...addresses.filter((address) => address !== own)];
      return {
        name: 'clustered',
        hazelcast: {
          variant: choice.variant,
          clusterName: hazelcast!.clusterName,
          members:
            choice.variant === 'replicated'
              ? [linkAddress(state, nodeId, ownEntry.id) ?? own]
              : members,
        },
      };
    }
    case 'cookie':
      return { name: 'cookie', cookie: { keys: secrets!.cookieKeys } };
    case 'jwt':
      return {
        name: 'jwt',
        jwt: { keys: secrets!.jwtKeys, accessTtlSeconds: state.tuning?.jwtAccessTtlSeconds },
        redis: { url: redisUrl },
      };
  }
}
