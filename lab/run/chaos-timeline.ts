// A scenario's chaos timeline played against the live topology while the
// load runs. Each step fires at its time whatever the previous one is doing
// (a timed pause may still hold when the next step is due), through the same
// runChaos / runFault the CLI uses, so the safety rules are the same: only
// recorded pids, loopback only, faults and pauses undone at the end or on
// Ctrl-C. A step whose target this strategy does not run (redis under
// sticky) is skipped and says so.
import { setTimeout as sleep } from 'node:timers/promises';
import { runChaos, resolveTarget } from '../chaos/index.ts';
import { LabError } from '../errors.ts';
import { makeFault } from '../network/faults/index.ts';
import { runFault } from '../network/run-fault.ts';
import { targetLinks } from '../network/target-links.ts';
import { ToxiproxyClient } from '../network/toxiproxy-client.ts';
import type { LabState } from '../topology/state.ts';
import type { StrategyObserver } from './run-observer.ts';
import type { ChaosStep } from './scenario-schema.ts';

/** What became of one step. */
export interface TimelineEvent {
  step: ChaosStep;
  /** When it really started, ms after the load started. */
  tMs: number;
  /** When it finished (a timed pause or a fault ends after its duration). */
  endMs: number;
  status: 'done' | 'failed' | 'skipped';
  /** The action's own account (before -> after; what it means), or why it failed or was skipped. */
  detail: string;
  errorCode?: string;
}

export interface TimelineContext {
  stateDir: string;
  state: LabState;
  /** performance.now() of the load's t = 0. */
  loadStart: number;
  signal: AbortSignal;
  /** Called when a start or restart step has its process serving again. */
  onStarted?: (target: string) => void;
  /** Hears each step fire and finish (the live page). */
  observer?: StrategyObserver | undefined;
}

/** Runs every step at its time; resolves when all have finished (or were cut short by the signal). */
export async function playTimeline(
  steps: readonly ChaosStep[],
  context: TimelineContext,
): Promise<TimelineEvent[]> {
  return Promise.all(steps.map((step) => playStep(step, context)));
}

async function playStep(step: ChaosStep, context: TimelineContext): Promise<TimelineEvent> {
  const event = await stepOutcome(step, context);
  context.observer?.chaosFinished?.(event);
  return event;
}

async function stepOutcome(step: ChaosStep, context: TimelineContext): Promise<TimelineEvent> {
  const since = () => Math.round(performance.now() - context.loadStart);
  const wait = context.loadStart + step.at - performance.now();
  try {
    if (wait > 0) await sleep(wait, undefined, { signal: context.signal });
  } catch {
    return { step, tMs: since(), endMs: since(), status: 'skipped', detail: 'run interrupted' };
  }
  const tMs = since();
  context.observer?.chaosFired?.(step, tMs);
  try {
    const skip = notApplicable(step, context.state);
    if (skip) return { step, tMs, endMs: tMs, status: 'skipped', detail: skip };
    const detail = await perform(step, context);
    if (step.action === 'start' || step.action === 'restart') context.onStarted?.(step.target);
    return { step, tMs, endMs: since(), status: 'done', detail };
  } catch (error) {
    const code = error instanceof LabError ? error.code : 'UNEXPECTED';
    const message = error instanceof LabError ? error.toLine() : (error as Error).message;
    return { step, tMs, endMs: since(), status: 'failed', detail: message, errorCode: code };
  }
}

async function perform(step: ChaosStep, context: TimelineContext): Promise<string> {
  const { stateDir, state, signal } = context;
  if (step.action === 'network') {
    const fault = makeFault(step.fault!, { ms: step.ms, jitter: step.jitter, rate: step.rate });
    const client = new ToxiproxyClient(state.services!.toxiproxy!.address);
    const links = targetLinks(state, step.target);
    const outcome = await runFault(
      stateDir,
      client,
      { fault, target: step.target, links, durationMs: step.for! },
      { signal },
    );
    return `${fault.label} on ${links.map((link) => link.name).join(', ')} for ${outcome.tookMs} ms`;
  }
  const outcome = await runChaos(
    { stateDir, state, detached: false, signal },
    step.action,
    step.target,
    {
      forMs: step.for,
    },
  );
  return `${outcome.before} -> ${outcome.after}; ${outcome.detail}`;
}

/** Why this step cannot apply to the running strategy, or undefined when it can. */
function notApplicable(step: ChaosStep, state: LabState): string | undefined {
  const strategy = state.variant ? `${state.strategy}:${state.variant}` : state.strategy;
  if (step.action === 'network') {
    if (!state.services?.toxiproxy)
      return `${strategy} has no network links (no store, or toxiproxy-server missing)`;
    try {
      targetLinks(state, step.target);
    } catch (error) {
      return error instanceof LabError ? error.toLine() : (error as Error).message;
    }
    return undefined;
  }
  try {
    resolveTarget(state, step.target);
  } catch (error) {
    if (error instanceof LabError && error.code === 'NOT_STARTED') {
      return `${step.target} is not part of ${strategy}`;
    }
    throw error;
  }
  return undefined;
}
