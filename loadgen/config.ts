// The load generator's one configuration, read and checked in one place. A
// bad value fails at once with the field, the problem and the fix, so a typo
// in a scenario never turns into a silently different load.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { loopbackOrigin } from '../common/loopback.ts';
import type { LoadConfig } from './types.ts';

/** A configuration that cannot run; `message` names the field and the fix, on one line. */
export class ConfigError extends Error {
  readonly code = 'LOADGEN_BAD_CONFIG';

  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function wholeNumber(min: number, max: number, fix: string) {
  const error = `must be a whole number from ${min} to ${max}; ${fix}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

function isLoopbackOrigin(url: string): boolean {
  try {
    const origin = loopbackOrigin(url);
    return (origin.pathname === '/' || origin.pathname === '') && !origin.search && !origin.hash;
  } catch {
    return false;
  }
}

const Schema = z
  .strictObject({
    url: z.string({ error: 'must be a string' }).refine(isLoopbackOrigin, {
      error:
        'must be a plain http origin on loopback without a path (http://127.0.0.1:PORT); point it at the lab balancer',
    }),
    strategy: z
      .string({ error: 'must be a string' })
      .min(1, { error: 'must not be empty; name the strategy under load (e.g. redis:cas)' })
      .max(64, { error: 'must be at most 64 characters' }),
    journey: z.enum(['shop', 'concurrency'], { error: 'must be "shop" or "concurrency"' }),
    model: z.enum(['open', 'closed'], { error: 'must be "open" or "closed"' }),
    rate: z
      .number({ error: 'must be a number; set journeys started per second (open model)' })
      .min(0, { error: 'must be from 0 to 10000 journeys per second' })
      .max(10_000, { error: 'must be from 0 to 10000 journeys per second' }),
    vus: wholeNumber(1, 10_000, 'set the number of concurrent users'),
    durationMs: wholeNumber(1, 86_400_000, 'set the load duration in milliseconds'),
    steps: wholeNumber(0, 100_000, 'set the requests per journey between login and logout'),
    thinkMs: wholeNumber(0, 600_000, 'set the pause between two requests in milliseconds'),
    parallelWrites: wholeNumber(1, 1000, 'set the cart writes sent at once (concurrency journey)'),
    timeoutMs: wholeNumber(1, 600_000, 'set how long a request may wait for its answer'),
    seed: wholeNumber(0, 0xffffffff, 'set any unsigned 32-bit integer'),
  })
  .refine((config) => config.model !== 'open' || config.rate > 0, {
    path: ['rate'],
    error: 'must be more than 0 for the open model; set journeys started per second',
  });

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => `"${key}"`).join(', ');
    return `unknown field ${keys}: remove it (fields: ${Object.keys(Schema.shape).join(', ')})`;
  }
  const field = issue.path.join('.') || '(top level)';
  if (issue.path.length === 0) return `the config must be a JSON object of the LoadConfig fields`;
  const got =
    issue.input === undefined
      ? 'it is missing'
      : `got ${JSON.stringify(issue.input)?.slice(0, 80)}`;
  return `field "${field}" ${issue.message} (${got})`;
}

/** The LoadConfig in `input`, or a ConfigError naming the first bad field. */
export function parseLoadConfig(input: unknown): LoadConfig {
  const result = Schema.safeParse(input, { reportInput: true });
  if (!result.success) {
    const [first] = result.error.issues;
    throw new ConfigError(first ? describe(first) : 'invalid config');
  }
  return result.data;
}

/** Reads and checks a LoadConfig JSON file. */
export async function readLoadConfig(file: string): Promise<LoadConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${file} is not JSON: ${(error as Error).message}`);
  }
  return parseLoadConfig(json);
}
