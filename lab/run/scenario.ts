// Finding, reading and checking a scenario: a built-in name (`quick`) or a
// path to a JSON file. Every problem is one LabError naming the file, the
// field and what to write instead, so a user never has to guess.
import { readdir, readFile } from 'node:fs/promises';
import type { EngineName } from '../engine/engine.ts';
import path from 'node:path';
import type { z } from 'zod';
import { LabError } from '../errors.ts';
import { ROOT } from '../paths.ts';
import {
  ScenarioSchema,
  type BalancerChoice,
  type LoadGeneratorName,
  type Scenario,
} from './scenario-schema.ts';

export const BUILT_IN_DIR = path.join(ROOT, 'scenarios');

/** What the command line may change without editing the file. */
export interface ScenarioOverrides {
  rate?: number | undefined;
  durationS?: number | undefined;
  warmupS?: number | undefined;
  nodes?: number | undefined;
  strategies?: string[] | undefined;
  /** `lab`, `haproxy` or `both`; checked with the rest of the scenario. */
  balancer?: BalancerChoice | undefined;
  generator?: LoadGeneratorName | undefined;
  engine?: EngineName | undefined;
}

export async function builtInScenarios(): Promise<string[]> {
  const files = await readdir(BUILT_IN_DIR);
  return files
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/** `quick` means scenarios/quick.json; anything with a slash or `.json` is a path. */
export function scenarioFile(nameOrPath: string): string {
  if (nameOrPath.includes('/') || nameOrPath.endsWith('.json')) return path.resolve(nameOrPath);
  return path.join(BUILT_IN_DIR, `${nameOrPath}.json`);
}

export async function loadScenario(
  nameOrPath: string,
  overrides: ScenarioOverrides = {},
): Promise<Scenario> {
  const file = scenarioFile(nameOrPath);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new LabError(
      'UNKNOWN_SCENARIO',
      `no scenario ${JSON.stringify(nameOrPath)} (${file} does not exist)`,
      `use a built-in one (${(await builtInScenarios()).join(', ')}) or a path to a .json file`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new LabError(
      'BAD_SCENARIO',
      `${file}: not valid JSON: ${(error as Error).message}`,
      'fix the syntax',
    );
  }
  return parseScenario(applyOverrides(raw, overrides), file);
}

/** Validates a scenario object; `file` names it in errors. */
export function parseScenario(raw: unknown, file: string): Scenario {
  const result = ScenarioSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new LabError('BAD_SCENARIO', describeIssues(file, result.error.issues));
}

/** `quick.json: load.rate: Too big: expected number to be <=500; chaos[0].target: ...` */
export function describeIssues(file: string, issues: readonly z.core.$ZodIssue[]): string {
  const lines = issues.slice(0, 5).map((issue) => {
    const field = issue.path
      .map((part, index) =>
        typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
      )
      .join('');
    const message =
      issue.code === 'unrecognized_keys'
        ? `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')} (a typo? see docs/scenarios.md)`
        : issue.message;
    return `${field || '(top level)'}: ${message}`;
  });
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
  return `${path.basename(file)}: ${lines.join('; ')}${more}`;
}

function applyOverrides(raw: unknown, overrides: ScenarioOverrides): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const scenario = { ...(raw as Record<string, unknown>) };
  const load = { ...(scenario.load as Record<string, unknown> | undefined) };
  if (overrides.rate !== undefined) load.rate = overrides.rate;
  if (overrides.durationS !== undefined) load.durationS = overrides.durationS;
  if (overrides.warmupS !== undefined) load.warmupS = overrides.warmupS;
  if (overrides.generator !== undefined) load.generator = overrides.generator;
  scenario.load = load;
  if (overrides.nodes !== undefined) {
    scenario.topology = { ...(scenario.topology as object | undefined), nodes: overrides.nodes };
  }
  if (overrides.strategies !== undefined) scenario.strategies = overrides.strategies;
  if (overrides.engine !== undefined) {
    scenario.topology = { ...(scenario.topology as object | undefined), engine: overrides.engine };
  }
  if (overrides.balancer !== undefined) scenario.balancer = overrides.balancer;
  return scenario;
}
