// What a node container runs first: the strategy named by LAB_STRATEGY, as
// the node's NODE_STRATEGY_CONFIG (nodes/strategies/config.ts checks it and
// names any bad field). docker-compose.yml passes the store addresses.

/** The strategies a container can start on; jwt needs generated keys: switch to it live. */
export const START_STRATEGIES = [
  'sticky',
  'redis[:cas|lww]',
  'clustered[:replicated|partitioned]',
  'cookie',
] as const;

/** A variable the chosen strategy needs and the environment lacks. */
export class StrategyEnvError extends Error {
  readonly code = 'STRATEGY_ENV_INVALID';
}

function required(env: Record<string, string | undefined>, name: string, why: string): string {
  const value = env[name];
  if (!value) throw new StrategyEnvError(`${name} is required ${why}`);
  return value;
}

/** The body of NODE_STRATEGY_CONFIG for LAB_STRATEGY (default sticky). */
export function strategyConfigFromEnv(
  env: Record<string, string | undefined>,
): Record<string, unknown> {
  const chosen = env.LAB_STRATEGY || 'sticky';
  const [name, variant] = chosen.split(':');
  switch (name) {
    case 'sticky':
      return { name: 'sticky' };
    case 'redis':
      return {
        name: 'redis',
        redis: {
          url: required(env, 'LAB_REDIS_URL', 'for the redis strategy'),
          mode: variant ?? 'cas',
          // The compose Redis has no ACL users yet (docs/security.md).
          allowNoPassword: true,
        },
      };
    case 'clustered': {
      const why = 'for the clustered strategy';
      const partitioned = variant === 'partitioned';
      // Replicated: the member beside this node only; partitioned: a smart
      // client that reaches every member directly.
      const members = partitioned
        ? required(env, 'LAB_HZ_MEMBERS', why).split(',')
        : [required(env, 'LAB_HZ_OWN_MEMBER', why)];
      return {
        name: 'clustered',
        hazelcast: {
          variant: variant ?? 'replicated',
          clusterName: required(env, 'LAB_HZ_CLUSTER_NAME', why),
          members,
        },
      };
    }
    case 'cookie':
      return {
        name: 'cookie',
        cookie: {
          keys: [
            { id: 'k1', secret: required(env, 'LAB_COOKIE_SECRET', 'for the cookie strategy') },
          ],
        },
      };
    default:
      throw new StrategyEnvError(
        `LAB_STRATEGY "${chosen}" is not one of ${START_STRATEGIES.join(', ')} (jwt: start on another and switch live through each node's PUT /admin/strategy)`,
      );
  }
}
