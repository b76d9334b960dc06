import { z } from 'zod';
import { readSecretFile, SecretFileError } from './secrets.ts';

/** A node's configuration, read from the environment by {@link loadNodeConfig}. */
export interface NodeConfig {
  nodeId: string;
  port: number;
  host: string;
  demoPassword: string;
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  maxEntries: number;
  adminToken: string;
  logLevel: LogLevel;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Bad configuration; `message` names every bad variable and how to fix it. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  /** One entry per bad variable, so an entry point can report several loaders at once. */
  readonly problems: string[];

  constructor(message: string, problems: string[] = [message]) {
    super(message);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

// Largest delay a Node timer accepts; a store may use the timeouts as timers.
const MAX_TIMEOUT_MS = 2_147_483_647;

// An example of a good value, appended to each variable's error.
const FIXES: Record<string, string> = {
  NODE_ID: 'e.g. NODE_ID=node-1',
  PORT: 'e.g. PORT=3001; 0 picks a free port',
  HOST: 'e.g. HOST=127.0.0.1, the default when unset',
  DEMO_PASSWORD: 'unset it for the default "secret"',
  SESSION_IDLE_TIMEOUT_MS: 'e.g. SESSION_IDLE_TIMEOUT_MS=1800000 (30 min), the default when unset',
  SESSION_ABSOLUTE_TIMEOUT_MS:
    'e.g. SESSION_ABSOLUTE_TIMEOUT_MS=28800000 (8 h), the default when unset',
  SESSION_MAX_ENTRIES: 'e.g. SESSION_MAX_ENTRIES=100000, the default when unset',
  NODE_ADMIN_TOKEN:
    'e.g. NODE_ADMIN_TOKEN_FILE=path of a 0600 file holding $(openssl rand -hex 16), or NODE_ADMIN_TOKEN=the token',
  LOG_LEVEL: 'e.g. LOG_LEVEL=info, the default when unset',
};

const required = (input: unknown) => (input === undefined ? 'is required' : 'must be text');

/** An environment variable; empty counts as unset, and an unset one takes `fallback` when given. */
function envVar<T extends z.ZodType>(schema: T, fallback?: string) {
  return z.preprocess((value) => (value === undefined || value === '' ? fallback : value), schema);
}

function wholeNumber(min: number, max: number) {
  return z
    .string({ error: (issue) => required(issue.input) })
    .regex(/^\d{1,16}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

function text(pattern: RegExp, rule: string) {
  return z.string({ error: (issue) => required(issue.input) }).regex(pattern, rule);
}

const schema = z.object({
  NODE_ID: envVar(text(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 characters of [A-Za-z0-9_-]')),
  PORT: envVar(wholeNumber(0, 65_535)),
  HOST: envVar(text(/^[^\s/]{1,253}$/, 'must be an address or host name'), '127.0.0.1'),
  DEMO_PASSWORD: envVar(text(/^.{1,256}$/s, 'must be 1–256 characters'), 'secret'),
  SESSION_IDLE_TIMEOUT_MS: envVar(wholeNumber(1, MAX_TIMEOUT_MS), String(30 * 60_000)),
  SESSION_ABSOLUTE_TIMEOUT_MS: envVar(wholeNumber(1, MAX_TIMEOUT_MS), String(8 * 3_600_000)),
  SESSION_MAX_ENTRIES: envVar(wholeNumber(1, 10_000_000), '100000'),
  NODE_ADMIN_TOKEN: envVar(text(/^.{16,512}$/s, 'must be 16–512 characters')),
  LOG_LEVEL: envVar(
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }),
    'info',
  ),
});

/**
 * Reads and checks the node's environment variables in one go; throws a
 * ConfigError naming every bad variable (never its value: it may be a secret).
 * The admin token comes from the file NODE_ADMIN_TOKEN_FILE names (0600,
 * checked: see readSecretFile), which is how the lab passes it, or else from
 * NODE_ADMIN_TOKEN.
 */
export function loadNodeConfig(env: Record<string, string | undefined> = process.env): NodeConfig {
  const tokenFile = readTokenFile(env);
  const result = schema.safeParse(
    tokenFile.token === undefined ? env : { ...env, NODE_ADMIN_TOKEN: tokenFile.token },
  );
  if (!result.success || tokenFile.problem !== undefined) {
    const problems = (result.error?.issues ?? []).map((issue) => {
      const name = String(issue.path[0]);
      return `${name} ${issue.message} (${FIXES[name] ?? 'see nodes/config.ts'})`;
    });
    if (tokenFile.problem !== undefined) problems.push(tokenFile.problem);
    throw new ConfigError(`invalid node configuration: ${problems.join('; ')}`, problems);
  }
  const vars = result.data;
  return {
    nodeId: vars.NODE_ID,
    port: vars.PORT,
    host: vars.HOST,
    demoPassword: vars.DEMO_PASSWORD,
    idleTimeoutMs: vars.SESSION_IDLE_TIMEOUT_MS,
    absoluteTimeoutMs: vars.SESSION_ABSOLUTE_TIMEOUT_MS,
    maxEntries: vars.SESSION_MAX_ENTRIES,
    adminToken: vars.NODE_ADMIN_TOKEN,
    logLevel: vars.LOG_LEVEL,
  };
}

const TOKEN_FILE = 'NODE_ADMIN_TOKEN_FILE';

/** The admin token from NODE_ADMIN_TOKEN_FILE, when set (one trailing newline dropped). */
function readTokenFile(env: Record<string, string | undefined>): {
  token?: string;
  problem?: string;
} {
  const file = env[TOKEN_FILE];
  if (file === undefined || file === '') return {};
  if (env.NODE_ADMIN_TOKEN !== undefined && env.NODE_ADMIN_TOKEN !== '') {
    return { problem: `set ${TOKEN_FILE} or NODE_ADMIN_TOKEN, not both` };
  }
  try {
    return { token: readSecretFile(file).replace(/\r?\n$/, '') };
  } catch (error) {
    if (!(error instanceof SecretFileError)) throw error;
    return { problem: `${TOKEN_FILE}: ${error.message}` };
  }
}
