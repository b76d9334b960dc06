// The load generator's one configuration, read and checked in one place. A
// bad value fails at once with the field, the problem and the fix, so a typo
// in a scenario never turns into a silently different load.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DEFAULT_UPSTREAM_TIMEOUT_MS } from '../balancer/config.ts';
import { loopbackOrigin } from '../common/loopback.ts';
import type { LoadConfig, ResolvedLoadConfig } from './types.ts';
import { expectedJourneyMs, MAX_VUS, sizeVus } from './vus-sizing.ts';

/** The generator waits this much longer than the balancer, so the balancer's own answer (504) is seen. */
export const TIMEOUT_OVER_BALANCER_MS = 5000;
/** The request latency assumed for a system that keeps up (vus sizing, drop causes). */
export const DEFAULT_EXPECTED_REQUEST_MS = 50;
/** jwt: what a well-written client does after a failed refresh: 3 more tries within 2 s. */
export const DEFAULT_REFRESH_RETRY = { retries: 3, windowMs: 2000 } as const;

/** The most generator processes one load may be split into (one per core is plenty). */
export const MAX_PROCESSES = 16;

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
    journey: z.enum(['shop', 'concurrency', 'request'], {
      error: 'must be "shop", "concurrency" or "request"',
    }),
    model: z.enum(['open', 'closed'], { error: 'must be "open" or "closed"' }),
    rate: z
      .number({ error: 'must be a number; set journeys started per second (open model)' })
      .min(0, { error: 'must be from 0 to 10000 journeys per second' })
      .max(10_000, { error: 'must be from 0 to 10000 journeys per second' }),
    vus: wholeNumber(1, MAX_VUS, 'set the number of concurrent users').optional(),
    durationMs: wholeNumber(1, 86_400_000, 'set the load duration in milliseconds'),
    steps: wholeNumber(0, 100_000, 'set the requests per journey between login and logout'),
    thinkMs: wholeNumber(0, 600_000, 'set the pause between two requests in milliseconds'),
    parallelWrites: wholeNumber(1, 1000, 'set the cart writes sent at once (concurrency journey)'),
    timeoutMs: wholeNumber(1, 600_000, 'set how long a request may wait for its answer').optional(),
    balancerUpstreamTimeoutMs: wholeNumber(
      1,
      600_000,
      "set the balancer's limits.upstreamTimeoutMs in milliseconds",
    ).optional(),
    expectedRequestMs: wholeNumber(
      1,
      60_000,
      'set the request latency, in milliseconds, of a system that keeps up',
    ).optional(),
    refreshRetry: z
      .strictObject(
        {
          retries: wholeNumber(0, 10, 'set how often a failed token refresh is tried again'),
          windowMs: wholeNumber(0, 60_000, 'set the time, in ms, refresh retries may take'),
        },
        { error: 'must be {"retries": N, "windowMs": MS}' },
      )
      .optional(),
    seed: wholeNumber(0, 0xffffffff, 'set any unsigned 32-bit integer'),
    processes: wholeNumber(
      1,
      MAX_PROCESSES,
      'set how many generator processes share the load',
    ).optional(),
    part: wholeNumber(
      0,
      MAX_PROCESSES - 1,
      'set which generator process this is, from 0',
    ).optional(),
  })
  .refine((config) => config.model !== 'open' || config.rate > 0, {
    path: ['rate'],
    error: 'must be more than 0 for the open model; set journeys started per second',
  })
  .refine((config) => config.part === undefined || config.part < (config.processes ?? 1), {
    path: ['part'],
    error: 'must be below processes; the lab numbers its generator processes from 0',
  })
  .refine((config) => config.model !== 'closed' || config.vus !== undefined, {
    path: ['vus'],
    error: 'is required for the closed model; set the number of concurrent users',
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

/**
 * Every default worked out: the timeout above the balancer's, `vus` from
 * Little's law over the journey's expected duration (open model).
 */
export function resolveLoadConfig(config: LoadConfig): ResolvedLoadConfig {
  const balancerUpstreamTimeoutMs = config.balancerUpstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS;
  const expectedRequestMs = config.expectedRequestMs ?? DEFAULT_EXPECTED_REQUEST_MS;
  const journeyMs = expectedJourneyMs({ ...config, expectedRequestMs });
  return {
    ...config,
    vus: config.vus ?? sizeVus(config.rate, journeyMs),
    vusSource: config.vus === undefined ? 'sized' : 'configured',
    timeoutMs: config.timeoutMs ?? balancerUpstreamTimeoutMs + TIMEOUT_OVER_BALANCER_MS,
    balancerUpstreamTimeoutMs,
    expectedRequestMs,
    refreshRetry: config.refreshRetry ?? { ...DEFAULT_REFRESH_RETRY },
    processes: config.processes ?? 1,
    part: config.part ?? 0,
  };
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
