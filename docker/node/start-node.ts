// Entry point of a node container: nodes/main.ts on the strategy LAB_STRATEGY
// names, unless NODE_STRATEGY_CONFIG is given whole. Exit 2 on a bad choice,
// as the node itself does for bad configuration.
import { StrategyEnvError, strategyConfigFromEnv } from './strategy-from-env.ts';

if (!process.env.NODE_STRATEGY_CONFIG) {
  try {
    process.env.NODE_STRATEGY_CONFIG = JSON.stringify(strategyConfigFromEnv(process.env));
  } catch (error) {
    if (!(error instanceof StrategyEnvError)) throw error;
    process.stderr.write(`invalid node configuration: ${error.message}\n`);
    process.exit(2);
  }
}
await import('../../nodes/main.ts');
