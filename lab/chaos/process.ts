// What the process actions share: the owned state of a recorded process,
// signals that wait for their effect, graceful stops, and (re)starts that
// record the new pid before anything can interrupt them.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { LabError } from '../errors.ts';
import {
  assertOwned,
  processState,
  signalService,
  spawnService,
  stopService,
  type ProcessState,
} from '../process/supervisor.ts';
import { writeState } from '../topology/state.ts';
import { waitFor } from '../process/wait.ts';
import type { ChaosContext, ChaosTarget } from './action.ts';

const INTERRUPTED = Symbol('interrupted');

export function interruptedError(what: string): LabError {
  return new LabError('INTERRUPTED', `interrupted while ${what}`);
}

/**
 * The state of the process the lab recorded. A live pid that no longer runs
 * the recorded command counts as dead: ours is gone and the pid was reused.
 */
export async function ownedState(entry: ChaosTarget['entry']): Promise<ProcessState> {
  const state = await processState(entry.pid);
  if (state === 'dead') return 'dead';
  try {
    await assertOwned(entry.pid, entry.spec);
    return state;
  } catch {
    return 'dead';
  }
}

/** waitFor that also ends, with INTERRUPTED, as soon as the context is aborted. */
export async function waitUntil<T>(
  context: ChaosContext,
  check: () => Promise<T | undefined | false>,
  options: { timeoutMs: number; what: string; intervalMs?: number },
): Promise<T> {
  const result = await waitFor<T | typeof INTERRUPTED>(
    async () => (context.signal?.aborted ? INTERRUPTED : check()),
    options,
  );
  if (result === INTERRUPTED) throw interruptedError(`waiting for ${options.what}`);
  return result;
}

/** A sleep that Ctrl-C ends early (with INTERRUPTED). */
export async function hold(context: ChaosContext, ms: number, what: string): Promise<void> {
  try {
    await sleep(ms, undefined, { signal: context.signal });
  } catch {
    throw interruptedError(what);
  }
}

/** Waits (5 s at most) until the recorded process is in state `wanted`. */
export async function awaitProcessState(
  context: ChaosContext,
  target: ChaosTarget,
  wanted: ProcessState,
): Promise<void> {
  await waitUntil(context, async () => (await processState(target.entry.pid)) === wanted, {
    timeoutMs: 5000,
    what: `${target.id} to be ${wanted}`,
  });
}

/** Sends `signal` to the recorded process (if still ours) and waits for the state it causes. */
export async function signalAndWait(
  context: ChaosContext,
  target: ChaosTarget,
  signal: NodeJS.Signals,
  wanted: ProcessState,
): Promise<void> {
  await signalService(target.entry.pid, target.entry.spec, signal);
  await awaitProcessState(context, target, wanted);
}

/** Refuses an action on a target that is not in one of the `allowed` states. */
export function requireState(
  target: ChaosTarget,
  action: string,
  before: ProcessState,
  allowed: readonly ProcessState[],
): void {
  if (allowed.includes(before)) return;
  const hint =
    before === 'dead'
      ? `use \`lab start ${target.id}\``
      : before === 'paused'
        ? `use \`lab resume ${target.id}\``
        : `it is running; \`lab restart ${target.id}\` restarts it`;
  throw new LabError(
    before === 'dead' ? 'NOT_RUNNING' : 'WRONG_STATE',
    `cannot ${action} ${target.id}: it is ${before} (pid ${target.entry.pid})`,
    hint,
  );
}

/**
 * SIGTERM (after SIGCONT: a stopped process cannot handle it), then SIGKILL
 * once the target's grace is over. Says which of the two ended it.
 */
export async function stopGracefully(context: ChaosContext, target: ChaosTarget): Promise<string> {
  const { pid, spec } = target.entry;
  const started = performance.now();
  await signalService(pid, spec, 'SIGCONT');
  await signalService(pid, spec, 'SIGTERM');
  try {
    await waitUntil(context, async () => (await processState(pid)) === 'dead', {
      timeoutMs: target.stopGraceMs,
      what: `${target.id} to exit after SIGTERM`,
    });
    return `exited on SIGTERM in ${Math.round(performance.now() - started)} ms`;
  } catch (error) {
    if (error instanceof LabError && error.code === 'INTERRUPTED') throw error;
    await signalAndWait(context, target, 'SIGKILL', 'dead');
    return `did not exit within ${target.stopGraceMs} ms of SIGTERM: killed`;
  }
}

/**
 * Starts the target from its recorded spec. The pid goes into the state file
 * at once, so even an interrupted wait leaves nothing `lab down` cannot find;
 * a process that does not get ready (or whose wait is interrupted) is stopped
 * again: whoever starts it stops it.
 */
export async function spawnTarget(context: ChaosContext, target: ChaosTarget): Promise<number> {
  const pid = spawnService(target.entry.spec, { detached: context.detached });
  target.entry.pid = pid;
  await writeState(context.stateDir, context.state);
  let outcome: 'ready' | 'died';
  try {
    outcome = await waitUntil(
      context,
      async () => {
        if ((await processState(pid)) === 'dead') return 'died' as const;
        return (await target.isReady(context, pid)) ? ('ready' as const) : false;
      },
      { timeoutMs: target.readyTimeoutMs, what: `${target.id} to serve`, intervalMs: 100 },
    );
  } catch (error) {
    await stopService(pid, target.entry.spec, 2000);
    if (error instanceof LabError) {
      throw new LabError(error.code, `${error.message}; stopped ${target.id} (pid ${pid}) again`);
    }
    throw new LabError(
      'NOT_READY',
      `${target.id} did not get ready: ${(error as Error).message}; stopped it again`,
      `log ${target.entry.spec.logFile}:\n${await tail(target.entry.spec.logFile)}`,
    );
  }
  if (outcome === 'died') {
    throw new LabError(
      'DIED',
      `${target.id} exited during start-up`,
      `log ${target.entry.spec.logFile}:\n${await tail(target.entry.spec.logFile)}`,
    );
  }
  return pid;
}

async function tail(file: string, count = 5): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trimEnd().split('\n').slice(-count).join('\n');
  } catch {
    return '(no log)';
  }
}
