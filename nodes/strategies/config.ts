import { z } from 'zod';
import { ConfigError } from '../config.ts';
import { readSecretFile, SecretFileError } from '../secrets.ts';
import type { ConfigSchema } from './definition.ts';
import { STRATEGIES } from './index.ts';
import type { StrategyName } from './strategy.ts';

// The body of PUT /admin/strategy and of NODE_STRATEGY_CONFIG(_FILE): which strategy
// a node runs, with what it needs. Node-wide settings (timeouts, max
// entries) stay in the node config; only what differs per strategy is here,
// each strategy's part in its own definition (definitions/).

type Table = typeof STRATEGIES;
/** Every definition's schema, as the tuple a discriminated union takes. */
type Options = [Table[StrategyName]['config'], ...Table[StrategyName]['config'][]];

const OPTIONS = Object.values(STRATEGIES).map(
  (definition): ConfigSchema<StrategyName> => definition.config,
) as Options;
const NAMES = Object.keys(STRATEGIES);

export const StrategyConfigSchema = z.discriminatedUnion('name', OPTIONS, {
  error: (issue) => {
    if (issue.code === 'invalid_union') return `must be one of ${NAMES.join(', ')}`;
    if (issue.code === 'invalid_type') return 'must be a JSON object with a "name"';
    return undefined;
  },
});

/** A checked strategy configuration, defaults applied (secrets as bytes). */
export type StrategyConfig = z.output<typeof StrategyConfigSchema>;
/** What a sender (the lab) may put in the body: defaults optional, secrets as text. */
export type StrategyConfigInput = z.input<typeof StrategyConfigSchema>;
export type { CookieStrategyConfig } from './definitions/cookie.ts';
export type { HazelcastStrategyConfig } from './definitions/clustered.ts';

/** `NODE_STRATEGY_CONFIG` when unset: node-local sessions. */
export const DEFAULT_STRATEGY_CONFIG = { name: 'sticky' } as const;

/** A strategy configuration that does not fit the schema; `problems` name each field. */
export class StrategyConfigError extends Error {
  readonly code = 'STRATEGY_CONFIG_INVALID';
  readonly problems: string[];

  constructor(problems: string[]) {
    super(problems.join('; '));
    this.name = 'StrategyConfigError';
    this.problems = problems;
  }
}

/** Checks a parsed JSON value; throws StrategyConfigError naming every bad field (never a value). */
export function parseStrategyConfig(input: unknown): StrategyConfig {
  const result = StrategyConfigSchema.safeParse(input);
  if (result.success) return result.data;
  throw new StrategyConfigError(result.error.issues.flatMap(describeIssue));
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = (path: PropertyKey[]) => (path.length > 0 ? path.map(String).join('.') : 'body');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${at([...issue.path, key])}: is not a known field`);
  }
  return [`${at(issue.path)}: ${issue.message}`];
}

const ENV = 'NODE_STRATEGY_CONFIG';
const FILE_ENV = 'NODE_STRATEGY_CONFIG_FILE';
const ENV_FIX = `e.g. ${ENV}='${JSON.stringify(DEFAULT_STRATEGY_CONFIG)}', the default when unset`;

/**
 * Reads the node's first strategy configuration (JSON, checked like the body
 * of PUT /admin/strategy) so a restarted node comes back with the strategy
 * the lab last set: from the file `NODE_STRATEGY_CONFIG_FILE` names, which is
 * how the lab passes it, since it holds keys and passwords (0600, checked:
 * see readSecretFile), or else inline from `NODE_STRATEGY_CONFIG`, for a
 * configuration without secrets. Throws a ConfigError naming the bad fields,
 * never a value. Apart from loadNodeConfig, so that the node's env config
 * imports no strategy code (the jwt keys module imports nodes/config.ts).
 */
export function loadStrategyConfig(
  env: Record<string, string | undefined> = process.env,
): StrategyConfig {
  const file = env[FILE_ENV];
  const inline = env[ENV];
  let source = ENV;
  let value = inline;
  if (file !== undefined && file !== '') {
    if (inline !== undefined && inline !== '') throw invalid(`set ${FILE_ENV} or ${ENV}, not both`);
    source = `${FILE_ENV} (${file})`;
    try {
      value = readSecretFile(file);
    } catch (error) {
      if (!(error instanceof SecretFileError)) throw error;
      throw invalid(`${FILE_ENV}: ${error.message}`);
    }
  }
  let parsed: unknown = DEFAULT_STRATEGY_CONFIG;
  if (value !== undefined && value !== '') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw invalid(`${source} must be JSON (${ENV_FIX})`);
    }
  }
  try {
    return parseStrategyConfig(parsed);
  } catch (error) {
    if (!(error instanceof StrategyConfigError)) throw error;
    throw invalid(`${source} is invalid: ${error.message} (${ENV_FIX})`);
  }
}

function invalid(problem: string): ConfigError {
  return new ConfigError(`invalid node configuration: ${problem}`, [problem]);
}
