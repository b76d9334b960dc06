import { z } from 'zod';
import { ConfigError } from '../config.ts';
import { JwtStrategyConfigSchema } from './jwt/index.ts';

// The body of PUT /admin/strategy and of NODE_STRATEGY_CONFIG: which strategy
// a node runs, with what it needs. Node-wide settings (timeouts, max
// entries) stay in the node config; only what differs per strategy is here.

const redisUrl = z
  .string('must be text')
  .regex(/^redis:\/\/\S{1,500}$/, 'must be a redis:// URL, e.g. "redis://127.0.0.1:6379"');

const hostPort = z
  .string('must be "host:port"')
  .regex(/^[^\s:/]{1,253}:\d{1,5}$/, 'must be "host:port", e.g. "127.0.0.1:5701"');

/** 32 random bytes, base64url: 43 characters (a trailing `=` is tolerated). */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}=?$/;
const SECRET_RULE =
  'must be the base64url of 32 random bytes (43 characters), e.g. ' +
  `node -e "console.log(crypto.randomBytes(32).toString('base64url'))"`;

const cookieKey = z.strictObject(
  {
    // Goes into every cookie, so short and without the separator `.`.
    id: z
      .string('must be text')
      .regex(/^[A-Za-z0-9_-]{1,16}$/, 'must be 1–16 characters of [A-Za-z0-9_-]'),
    secret: z
      .string(SECRET_RULE)
      .regex(SECRET_PATTERN, SECRET_RULE)
      .transform((secret): Buffer => Buffer.from(secret.replace(/=$/, ''), 'base64url')),
  },
  'must be an object {id, secret}',
);

const StickyConfig = z.strictObject({ name: z.literal('sticky') });

const RedisConfig = z.strictObject({
  name: z.literal('redis'),
  redis: z.strictObject(
    {
      url: redisUrl,
      /** `cas`: no update is lost; `lww`: last write wins, so the lab can count lost updates. */
      mode: z.enum(['cas', 'lww'], 'must be "cas" or "lww"').default('cas'),
    },
    'must be an object {url, mode?}',
  ),
});

const ClusteredConfig = z.strictObject({
  name: z.literal('clustered'),
  hazelcast: z
    .strictObject(
      {
        variant: z
          .enum(['replicated', 'partitioned'], 'must be "replicated" or "partitioned"')
          .default('replicated'),
        clusterName: z
          .string('must be text')
          .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 characters of [A-Za-z0-9_.-]'),
        /**
         * `partitioned`: members the client contacts first (it then finds them all).
         * `replicated`: the client talks to the FIRST member only, the one beside this node.
         */
        members: z
          .array(hostPort, 'must be a list of "host:port"')
          .min(1, 'must list a member')
          .max(32),
        nearCache: z.boolean('must be true or false').default(false),
      },
      'must be an object {variant?, clusterName, members, nearCache?}',
    )
    .refine((hz) => !hz.nearCache || hz.variant === 'partitioned', {
      path: ['nearCache'],
      message: 'only the partitioned variant has a Near Cache (an IMap feature)',
    }),
});

const CookieConfig = z.strictObject({
  name: z.literal('cookie'),
  cookie: z.strictObject(
    {
      /** The first key seals new cookies; every key opens them (rotation). */
      keys: z
        .array(cookieKey, 'must be a list of {id, secret}')
        .min(1, 'must hold at least one key')
        .max(8, 'must hold at most 8 keys')
        .refine(
          (keys) => new Set(keys.map((key) => key.id)).size === keys.length,
          'ids must differ',
        ),
    },
    'must be an object {keys}',
  ),
});

// The jwt part is checked by the jwt strategy's own schema; Redis holds its
// refresh tokens and the carts.
const JwtConfig = z.strictObject({
  name: z.literal('jwt'),
  jwt: JwtStrategyConfigSchema,
  redis: z.strictObject({ url: redisUrl }, 'must be an object {url}'),
});

const OPTIONS = [StickyConfig, RedisConfig, ClusteredConfig, CookieConfig, JwtConfig] as const;
const NAMES = OPTIONS.map((option) => option.shape.name.value);

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
export type CookieStrategyConfig = z.output<typeof CookieConfig>['cookie'];
export type HazelcastStrategyConfig = z.output<typeof ClusteredConfig>['hazelcast'];

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
const ENV_FIX = `e.g. ${ENV}='${JSON.stringify(DEFAULT_STRATEGY_CONFIG)}', the default when unset`;

/**
 * Reads `NODE_STRATEGY_CONFIG` (JSON, checked like the body of PUT
 * /admin/strategy) so a restarted node comes back with the strategy the lab
 * last set. Throws a ConfigError naming the bad fields, never a value (it
 * may hold keys). Apart from loadNodeConfig, so that the node's env config
 * imports no strategy code (the jwt keys module imports nodes/config.ts).
 */
export function loadStrategyConfig(
  env: Record<string, string | undefined> = process.env,
): StrategyConfig {
  const value = env[ENV];
  let parsed: unknown = DEFAULT_STRATEGY_CONFIG;
  if (value !== undefined && value !== '') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw invalid(`${ENV} must be JSON (${ENV_FIX})`);
    }
  }
  try {
    return parseStrategyConfig(parsed);
  } catch (error) {
    if (!(error instanceof StrategyConfigError)) throw error;
    throw invalid(`${ENV} is invalid: ${error.message} (${ENV_FIX})`);
  }
}

function invalid(problem: string): ConfigError {
  return new ConfigError(`invalid node configuration: ${problem}`, [problem]);
}
