import type { StrategyConfig } from './config.ts';
import type { StrategyDeps } from './definition.ts';
import { clustered } from './definitions/clustered.ts';
import { cookie } from './definitions/cookie.ts';
import { jwt } from './definitions/jwt.ts';
import { redis } from './definitions/redis.ts';
import { sticky } from './definitions/sticky.ts';
import type { SessionStrategy, StrategyName } from './strategy.ts';

export type { StrategyDeps } from './definition.ts';

/**
 * THE factory table: one definition per strategy (definitions/), by name.
 * `satisfies` makes it list exactly the strategies of SESSION_HOLDERS
 * (strategy.ts), each under its own name.
 */
export const STRATEGIES = { sticky, redis, clustered, cookie, jwt } satisfies {
  [N in StrategyName]: { readonly name: N };
};

/**
 * The one place that turns a strategy configuration into a strategy.
 * Server-session strategies with a networked store are connected before
 * they are returned, so a store that cannot be reached fails here
 * (StoreUnavailableError; a bad option: StoreOptionError) and whatever was
 * opened is closed again; jwt connects in `ready()`, which every switch
 * checks. The caller owns the strategy and closes it.
 */
export function createStrategy(
  config: StrategyConfig,
  deps: StrategyDeps,
): Promise<SessionStrategy> {
  // The definition named by `config.name` takes exactly that configuration.
  const definition = STRATEGIES[config.name] as {
    create(config: StrategyConfig, deps: StrategyDeps): Promise<SessionStrategy>;
  };
  return definition.create(config, deps);
}
