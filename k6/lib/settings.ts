// What a k6 script runs with, from its environment (k6 -e NAME=value or the
// shell's) over a scenario file's values over the defaults below: the same
// defaults as a scenario (lab/run/scenario-schema.ts) and the lab's
// generator. Plain TypeScript with no k6 import, so Node's tests check it.
import type { ScenarioThresholds } from './thresholds.ts';

/** Which k6 executor starts the journeys. */
export type Model =
  /** constant-arrival-rate: RATE journeys a second whatever the system does */
  | 'open'
  /** ramping-arrival-rate: the rate follows STAGES */
  | 'ramping'
  /** constant-vus: VUS users, each starting its next journey when the last ended */
  | 'closed';

export interface Stage {
  duration: string;
  target: number;
}

export interface Settings {
  baseUrl: string;
  model: Model;
  rate: number;
  stages: Stage[];
  vus: number;
  /** k6 duration text (`20s`). */
  duration: string;
  steps: number;
  thinkMs: number;
  parallelWrites: number;
  timeoutMs: number;
  seed: number;
  refreshRetry: { retries: number; windowMs: number };
  /** How many nodes the by-node figures name (node-1..node-N). */
  nodes: number;
  thresholds: ScenarioThresholds;
  /** Where handleSummary writes k6's summary as JSON; undefined: stdout only. */
  summaryFile: string | undefined;
}

export const DEFAULTS: Omit<Settings, 'thresholds' | 'summaryFile' | 'stages'> = {
  baseUrl: 'http://127.0.0.1:8080',
  model: 'open',
  rate: 20,
  vus: 200,
  duration: '20s',
  steps: 10,
  thinkMs: 100,
  parallelWrites: 5,
  timeoutMs: 5000,
  seed: 42,
  refreshRetry: { retries: 3, windowMs: 2000 },
  nodes: 3,
};

/** A bad variable: the script must not start with a value it cannot use. */
export class SettingsError extends Error {
  constructor(variable: string, problem: string) {
    super(`${variable}: ${problem}`);
    this.name = 'SettingsError';
  }
}

/** What a scenario file may give a script (the rest of the file is ignored). */
interface ScenarioFile {
  topology?: { nodes?: number };
  load?: {
    model?: 'open' | 'closed';
    rate?: number;
    vus?: number;
    durationS?: number;
    steps?: number;
    thinkMs?: number;
    parallelWrites?: number;
    timeoutMs?: number;
    seed?: number;
  };
  thresholds?: ScenarioThresholds;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads the settings; `readText` reads the LAB_SCENARIO file (k6's `open` in a script). */
export function readSettings(env: Env, readText: (path: string) => string): Settings {
  const scenario = env.LAB_SCENARIO ? scenarioFile(env.LAB_SCENARIO, readText) : {};
  const load = scenario.load ?? {};
  const number = (name: string, fallback: number, min: number, max: number, whole = true) => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (
      !Number.isFinite(value) ||
      value < min ||
      value > max ||
      (whole && !Number.isInteger(value))
    ) {
      throw new SettingsError(
        name,
        `must be a ${whole ? 'whole ' : ''}number from ${min} to ${max}, got ${JSON.stringify(text)}`,
      );
    }
    return value;
  };
  const model = env.MODEL ?? load.model ?? DEFAULTS.model;
  if (model !== 'open' && model !== 'ramping' && model !== 'closed') {
    throw new SettingsError(
      'MODEL',
      `must be open, ramping or closed, got ${JSON.stringify(model)}`,
    );
  }
  const stages = parseStages(env.STAGES);
  if (model === 'ramping' && stages.length === 0) {
    throw new SettingsError(
      'STAGES',
      'MODEL=ramping needs stages such as "10s:5,30s:40,10s:0" (duration:journeys per second)',
    );
  }
  return {
    baseUrl: (env.BASE_URL ?? DEFAULTS.baseUrl).replace(/\/+$/, ''),
    model,
    rate: number('RATE', load.rate ?? DEFAULTS.rate, 0.1, 100_000, false),
    stages,
    vus: number('VUS', load.vus ?? DEFAULTS.vus, 1, 100_000),
    duration: duration(env.DURATION, load.durationS),
    steps: number('STEPS', load.steps ?? DEFAULTS.steps, 1, 1000),
    thinkMs: number('THINK_MS', load.thinkMs ?? DEFAULTS.thinkMs, 0, 60_000),
    parallelWrites: number(
      'PARALLEL_WRITES',
      load.parallelWrites ?? DEFAULTS.parallelWrites,
      1,
      50,
    ),
    timeoutMs: number('TIMEOUT_MS', load.timeoutMs ?? DEFAULTS.timeoutMs, 100, 600_000),
    seed: number('SEED', load.seed ?? DEFAULTS.seed, 0, 2 ** 31),
    refreshRetry: {
      retries: number('REFRESH_RETRIES', DEFAULTS.refreshRetry.retries, 0, 10),
      windowMs: number('REFRESH_WINDOW_MS', DEFAULTS.refreshRetry.windowMs, 0, 60_000),
    },
    nodes: number('NODES', scenario.topology?.nodes ?? DEFAULTS.nodes, 1, 64),
    thresholds: { ...scenario.thresholds, ...thresholdsFrom(env.LAB_THRESHOLDS) },
    summaryFile: env.LAB_SUMMARY || undefined,
  };
}

function scenarioFile(path: string, readText: (path: string) => string): ScenarioFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readText(path));
  } catch (error) {
    throw new SettingsError(
      'LAB_SCENARIO',
      `${path} is not a readable JSON scenario: ${(error as Error).message}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SettingsError('LAB_SCENARIO', `${path} is not a scenario object`);
  }
  return parsed;
}

function thresholdsFrom(text: string | undefined): ScenarioThresholds {
  if (text === undefined || text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SettingsError(
      'LAB_THRESHOLDS',
      'must be JSON such as {"errorRate":0.01,"p99Ms":500}',
    );
  }
  const known = ['errorRate', 'p99Ms', 'sessionsLost', 'staleReads', 'lostUpdates', 'dropped'];
  const thresholds: Record<string, number> = {};
  for (const [name, limit] of Object.entries(parsed as Record<string, unknown>)) {
    if (!known.includes(name)) {
      throw new SettingsError(
        'LAB_THRESHOLDS',
        `unknown threshold ${name}; use ${known.join(', ')}`,
      );
    }
    if (typeof limit !== 'number' || limit < 0) {
      throw new SettingsError('LAB_THRESHOLDS', `${name} must be a number >= 0`);
    }
    thresholds[name] = limit;
  }
  return thresholds;
}

/** DURATION as k6 writes it (`30s`, `2m`, `1m30s`) or plain seconds. */
function duration(text: string | undefined, scenarioSeconds: number | undefined): string {
  if (text === undefined || text === '') {
    return scenarioSeconds === undefined
      ? DEFAULTS.duration
      : `${Math.round(scenarioSeconds * 1000)}ms`;
  }
  if (/^\d+(\.\d+)?$/.test(text)) return `${Math.round(Number(text) * 1000)}ms`;
  if (/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(text)) return text;
  throw new SettingsError(
    'DURATION',
    `must be seconds or a k6 duration such as 30s, 2m, 1m30s; got ${JSON.stringify(text)}`,
  );
}

/** STAGES: `duration:target` pairs, comma-separated (`10s:5,30s:40`). */
function parseStages(text: string | undefined): Stage[] {
  if (text === undefined || text.trim() === '') return [];
  return text.split(',').map((part) => {
    const match = /^\s*((?:\d+(?:\.\d+)?(?:ms|s|m|h))+):(\d+(?:\.\d+)?)\s*$/.exec(part);
    if (!match) {
      throw new SettingsError(
        'STAGES',
        `${JSON.stringify(part)} is not duration:target (e.g. 30s:40)`,
      );
    }
    return { duration: match[1]!, target: Number(match[2]) };
  });
}
