import type { Logger } from 'pino';
import type { z } from 'zod';
import type { SessionMetrics } from '../metrics.ts';
import type { SessionStrategy, StrategyName } from './strategy.ts';

/** What every strategy may use from its node. */
export interface StrategyDeps {
  nodeId: string;
  /** Node-wide session settings (nodes/config.ts). */
  limits: { idleTimeoutMs: number; absoluteTimeoutMs: number; maxEntries: number };
  metrics: SessionMetrics;
  logger: Logger;
  /** Wall clock for session timestamps, epoch ms. */
  now: () => number;
  /** Compare-and-set attempts per cart write (server sessions). Default 10. */
  cartWriteAttempts?: number;
}

/** The schema of one strategy's configuration: a strict object whose `name` is the strategy's. */
export type ConfigSchema<N extends StrategyName> = z.ZodObject<
  { name: z.ZodLiteral<N> } & z.core.$ZodLooseShape,
  z.core.$strict
>;

/**
 * One strategy as a node knows it: the schema of its configuration (the
 * body of PUT /admin/strategy, `name` included) and how to build it. One
 * file per strategy under definitions/; the factory (index.ts) lists them,
 * and config.ts makes one schema of theirs.
 */
export interface StrategyDefinition<N extends StrategyName, S extends ConfigSchema<N>> {
  readonly name: N;
  readonly config: S;
  /**
   * Builds the strategy from a checked configuration. A strategy on a
   * networked store connects here (or in `ready()`), so an unreachable store
   * fails the switch; whatever it opened is closed again on failure.
   */
  create(config: z.output<S>, deps: StrategyDeps): Promise<SessionStrategy>;
}
