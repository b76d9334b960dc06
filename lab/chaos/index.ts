// The one registry of chaos actions, and the one way to run one: resolve the
// target, check the action applies, run it, record the event. The CLI and
// (later) scenario timelines call runChaos; nothing else picks an action by name.
import { LabError } from '../errors.ts';
import { recordEvent } from '../topology/events.ts';
import type { ChaosAction, ChaosContext, ChaosOutcome, ChaosParams } from './action.ts';
import { disable } from './disable.ts';
import { drain } from './drain.ts';
import { enable } from './enable.ts';
import { CONTAINER_COMMAND } from '../engine/engine-state.ts';
import { ENGINE_ACTIONS, runOnEngine } from './engine-chaos.ts';
import { kill } from './kill.ts';
import { pause } from './pause.ts';
import { restart } from './restart.ts';
import { resume } from './resume.ts';
import { start } from './start.ts';
import { stop } from './stop.ts';
import { resolveTarget } from './targets/index.ts';

export type {
  ChaosAction,
  ChaosContext,
  ChaosOutcome,
  ChaosParams,
  ChaosTarget,
  TargetKind,
} from './action.ts';
export { knownTargets, resolveTarget } from './targets/index.ts';

const ACTIONS: readonly ChaosAction[] = [
  kill,
  stop,
  pause,
  resume,
  start,
  restart,
  drain,
  disable,
  enable,
];

const BY_NAME: ReadonlyMap<string, ChaosAction> = new Map(ACTIONS.map((a) => [a.name, a]));

/** Every action name, in the order the usage text lists them. */
export const CHAOS_ACTION_NAMES: readonly string[] = ACTIONS.map((action) => action.name);

export function isChaosAction(name: string): boolean {
  return BY_NAME.has(name);
}

export function chaosAction(name: string): ChaosAction {
  const action = BY_NAME.get(name);
  if (!action) {
    throw new LabError(
      'UNKNOWN_ACTION',
      `unknown chaos action "${name}"`,
      `use one of ${CHAOS_ACTION_NAMES.join(', ')}`,
    );
  }
  return action;
}

const KIND_LABEL = { node: 'a node', store: 'a store' } as const;

/**
 * Runs action `name` on target `targetId` and records it in events.ndjson,
 * failures included (a timeline must show what it tried).
 */
export async function runChaos(
  context: ChaosContext,
  name: string,
  targetId: string,
  params: ChaosParams = {},
): Promise<ChaosOutcome> {
  const action = chaosAction(name);
  checkParams(action, params);
  const target = resolveTarget(context.state, targetId);
  if (!action.targets.includes(target.kind)) {
    throw new LabError(
      'NOT_APPLICABLE',
      `${name} does not apply to ${targetId} (${KIND_LABEL[target.kind]})`,
      `${name} applies to ${action.targets.map((kind) => `${kind}s`).join(' and ')}`,
    );
  }
  let outcome: ChaosOutcome;
  try {
    // A member of a topology an engine runs (a container) is acted on through the engine.
    outcome =
      context.state.engine &&
      target.entry.spec.command === CONTAINER_COMMAND &&
      ENGINE_ACTIONS.includes(name)
        ? await runOnEngine(context, name, target, params)
        : await action.run(context, target, params);
  } catch (error) {
    await recordEvent(context.stateDir, {
      type: 'chaos',
      action: name,
      target: targetId,
      pid: target.entry.pid,
      ...params,
      error: error instanceof LabError ? error.code : 'UNEXPECTED',
      message: (error as Error).message,
    });
    throw error;
  }
  await recordEvent(context.stateDir, { type: 'chaos', ...outcome, ...params });
  return outcome;
}

function checkParams(action: ChaosAction, params: ChaosParams): void {
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    if (!(action.params as readonly string[]).includes(key)) {
      throw new LabError('BAD_PARAMETER', `${action.name} takes no "${key}"`);
    }
  }
  const { forMs } = params;
  if (forMs !== undefined && (!Number.isInteger(forMs) || forMs < 1)) {
    throw new LabError('BAD_PARAMETER', `forMs must be a whole number of milliseconds >= 1`);
  }
}

/** The one line the CLI prints: what happened, before -> after, and what it means. */
export function describeOutcome(outcome: ChaosOutcome): string {
  const pid =
    outcome.pid === undefined
      ? ''
      : outcome.previousPid !== undefined && outcome.previousPid !== outcome.pid
        ? ` (pid ${outcome.previousPid} -> ${outcome.pid})`
        : ` (pid ${outcome.pid})`;
  return `${outcome.action} ${outcome.target}${pid}: ${outcome.before} -> ${outcome.after}; ${outcome.detail}`;
}
